import type { IocContainer, IocContainerFactory } from '@tsoa/runtime';
import type { Request } from 'express';
import type { AppContext } from '../context';

/**
 * tsoa builds controllers through this factory, per request. Controllers take the AppContext the
 * app was created with (from app.locals), so tests can run several apps side by side.
 */
export const iocContainer: IocContainerFactory<Request> = (request: Request): IocContainer => ({
  get<T>(controller: unknown): T {
    const Ctor = controller as new (ctx: AppContext) => T;
    return new Ctor(request.app.locals.ctx as AppContext);
  },
});
