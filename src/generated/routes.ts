/* tslint:disable */
/* eslint-disable */
// WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
import type { TsoaRoute } from '@tsoa/runtime';
import {  fetchMiddlewares, ExpressTemplateService } from '@tsoa/runtime';
// WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
import { ModerationsController } from './../api/moderations-controller';
// WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
import { ModelsController } from './../api/models-controller';
// WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
import { HealthController } from './../api/health-controller';
// WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
import { ClassifyController } from './../api/classify-controller';
import { iocContainer } from './../api/ioc';
import type { IocContainer, IocContainerFactory } from '@tsoa/runtime';
import type { Request as ExRequest, Response as ExResponse, RequestHandler, Router } from 'express';



// WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa

const models: TsoaRoute.Models = {
    "ModerationCategories": {
        "dataType": "refObject",
        "properties": {
            "harassment": {"dataType":"boolean","required":true},
            "harassment/threatening": {"dataType":"boolean","required":true},
            "hate": {"dataType":"boolean","required":true},
            "hate/threatening": {"dataType":"boolean","required":true},
            "illicit": {"dataType":"boolean","required":true},
            "illicit/violent": {"dataType":"boolean","required":true},
            "self-harm": {"dataType":"boolean","required":true},
            "self-harm/intent": {"dataType":"boolean","required":true},
            "self-harm/instructions": {"dataType":"boolean","required":true},
            "sexual": {"dataType":"boolean","required":true},
            "sexual/minors": {"dataType":"boolean","required":true},
            "violence": {"dataType":"boolean","required":true},
            "violence/graphic": {"dataType":"boolean","required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModerationCategoryScores": {
        "dataType": "refObject",
        "properties": {
            "harassment": {"dataType":"double","required":true},
            "harassment/threatening": {"dataType":"double","required":true},
            "hate": {"dataType":"double","required":true},
            "hate/threatening": {"dataType":"double","required":true},
            "illicit": {"dataType":"double","required":true},
            "illicit/violent": {"dataType":"double","required":true},
            "self-harm": {"dataType":"double","required":true},
            "self-harm/intent": {"dataType":"double","required":true},
            "self-harm/instructions": {"dataType":"double","required":true},
            "sexual": {"dataType":"double","required":true},
            "sexual/minors": {"dataType":"double","required":true},
            "violence": {"dataType":"double","required":true},
            "violence/graphic": {"dataType":"double","required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModerationCategoryInputTypes": {
        "dataType": "refObject",
        "properties": {
            "harassment": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "harassment/threatening": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "hate": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "hate/threatening": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "illicit": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "illicit/violent": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "self-harm": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "self-harm/intent": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "self-harm/instructions": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "sexual": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "sexual/minors": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "violence": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
            "violence/graphic": {"dataType":"array","array":{"dataType":"enum","enums":["text"]},"required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModerationResult": {
        "dataType": "refObject",
        "properties": {
            "flagged": {"dataType":"boolean","required":true},
            "categories": {"ref":"ModerationCategories","required":true},
            "category_scores": {"ref":"ModerationCategoryScores","required":true},
            "category_applied_input_types": {"ref":"ModerationCategoryInputTypes","required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModerationResponse": {
        "dataType": "refObject",
        "properties": {
            "id": {"dataType":"string","required":true},
            "model": {"dataType":"string","required":true},
            "results": {"dataType":"array","array":{"dataType":"refObject","ref":"ModerationResult"},"required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "OpenAIError": {
        "dataType": "refObject",
        "properties": {
            "message": {"dataType":"string","required":true},
            "type": {"dataType":"union","subSchemas":[{"dataType":"enum","enums":["invalid_request_error"]},{"dataType":"enum","enums":["server_error"]}],"required":true},
            "param": {"dataType":"union","subSchemas":[{"dataType":"string"},{"dataType":"enum","enums":[null]}],"required":true},
            "code": {"dataType":"string","required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "Problem": {
        "dataType": "refObject",
        "properties": {
            "type": {"dataType":"string","required":true},
            "title": {"dataType":"string","required":true},
            "status": {"dataType":"double","required":true},
            "detail": {"dataType":"string","required":true},
            "instance": {"dataType":"string"},
            "limit": {"dataType":"nestedObjectLiteral","nestedProperties":{"actual":{"dataType":"double"},"value":{"dataType":"double","required":true},"name":{"dataType":"string","required":true}}},
            "errors": {"dataType":"array","array":{"dataType":"nestedObjectLiteral","nestedProperties":{"message":{"dataType":"string","required":true},"field":{"dataType":"string","required":true}}}},
            "errors_omitted": {"dataType":"double"},
            "models": {"dataType":"array","array":{"dataType":"string"}},
            "error": {"ref":"OpenAIError"},
            "request_id": {"dataType":"string"},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModerationTextPart": {
        "dataType": "refObject",
        "properties": {
            "type": {"dataType":"enum","enums":["text"],"required":true},
            "text": {"dataType":"string","required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModerationImagePart": {
        "dataType": "refObject",
        "properties": {
            "type": {"dataType":"enum","enums":["image_url"],"required":true},
            "image_url": {"dataType":"nestedObjectLiteral","nestedProperties":{"url":{"dataType":"string","required":true}},"required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModerationRequest": {
        "dataType": "refObject",
        "properties": {
            "input": {"dataType":"union","subSchemas":[{"dataType":"string"},{"dataType":"array","array":{"dataType":"string"}},{"dataType":"array","array":{"dataType":"union","subSchemas":[{"ref":"ModerationTextPart"},{"ref":"ModerationImagePart"}]}}],"required":true},
            "model": {"dataType":"string"},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModelLabel": {
        "dataType": "refObject",
        "properties": {
            "name": {"dataType":"string","required":true},
            "threshold": {"dataType":"double","required":true,"validators":{"minimum":{"value":0},"maximum":{"value":1}}},
            "benign": {"dataType":"boolean","required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "Record_string.string-Array_": {
        "dataType": "refAlias",
        "type": {"dataType":"nestedObjectLiteral","nestedProperties":{},"additionalProperties":{"dataType":"array","array":{"dataType":"string"}},"validators":{}},
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModelDetails": {
        "dataType": "refObject",
        "properties": {
            "id": {"dataType":"string","required":true},
            "object": {"dataType":"enum","enums":["model"],"required":true},
            "created": {"dataType":"double","required":true},
            "owned_by": {"dataType":"string","required":true},
            "name": {"dataType":"string","required":true},
            "version": {"dataType":"string","required":true},
            "kind": {"dataType":"union","subSchemas":[{"dataType":"enum","enums":["fasttext"]},{"dataType":"enum","enums":["hf-transformer"]}],"required":true},
            "default": {"dataType":"boolean","required":true},
            "ready": {"dataType":"boolean","required":true},
            "labels": {"dataType":"array","array":{"dataType":"refObject","ref":"ModelLabel"},"required":true},
            "overall_threshold": {"dataType":"double","required":true,"validators":{"minimum":{"value":0},"maximum":{"value":1}}},
            "max_length": {"dataType":"double"},
            "long_texts": {"dataType":"union","subSchemas":[{"dataType":"enum","enums":["window"]},{"dataType":"enum","enums":["truncate"]}]},
            "categories": {"ref":"Record_string.string-Array_","required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModelList": {
        "dataType": "refObject",
        "properties": {
            "object": {"dataType":"enum","enums":["list"],"required":true},
            "data": {"dataType":"array","array":{"dataType":"refObject","ref":"ModelDetails"},"required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "HealthResponse": {
        "dataType": "refObject",
        "properties": {
            "status": {"dataType":"enum","enums":["ok"],"required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModelRef": {
        "dataType": "refObject",
        "properties": {
            "name": {"dataType":"string","required":true},
            "version": {"dataType":"string","required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ModelReadiness": {
        "dataType": "refObject",
        "properties": {
            "name": {"dataType":"string","required":true},
            "version": {"dataType":"string","required":true},
            "ready": {"dataType":"boolean","required":true},
            "reason": {"dataType":"string"},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ReadinessResponse": {
        "dataType": "refObject",
        "properties": {
            "status": {"dataType":"union","subSchemas":[{"dataType":"enum","enums":["ready"]},{"dataType":"enum","enums":["not_ready"]}],"required":true},
            "model": {"ref":"ModelRef"},
            "reason": {"dataType":"string"},
            "models": {"dataType":"array","array":{"dataType":"refObject","ref":"ModelReadiness"}},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "Record_string.number_": {
        "dataType": "refAlias",
        "type": {"dataType":"nestedObjectLiteral","nestedProperties":{},"additionalProperties":{"dataType":"double"},"validators":{}},
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "TextRead": {
        "dataType": "refObject",
        "properties": {
            "tokens": {"dataType":"double","required":true},
            "tokens_read": {"dataType":"double","required":true},
            "windows": {"dataType":"double","required":true},
            "truncated": {"dataType":"boolean","required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ClassificationResult": {
        "dataType": "refObject",
        "properties": {
            "index": {"dataType":"double","required":true},
            "flagged": {"dataType":"boolean","required":true},
            "overall": {"dataType":"double","required":true,"validators":{"minimum":{"value":0},"maximum":{"value":1}}},
            "labels": {"dataType":"array","array":{"dataType":"string"},"required":true},
            "scores": {"ref":"Record_string.number_","required":true},
            "read": {"ref":"TextRead"},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ClassifyResponse": {
        "dataType": "refObject",
        "properties": {
            "model": {"ref":"ModelRef","required":true},
            "results": {"dataType":"array","array":{"dataType":"refObject","ref":"ClassificationResult"},"required":true},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
    "ClassifyRequest": {
        "dataType": "refObject",
        "properties": {
            "text": {"dataType":"string"},
            "texts": {"dataType":"array","array":{"dataType":"string"}},
            "model": {"dataType":"string"},
        },
        "additionalProperties": false,
    },
    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
};
const templateService = new ExpressTemplateService(models, {"noImplicitAdditionalProperties":"throw-on-extras","bodyCoercion":false});

// WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa




export function RegisterRoutes(app: Router) {

    // ###########################################################################################################
    //  NOTE: If you do not see routes for all of your controllers in this file, then you might not have informed tsoa of where to look
    //      Please look into the "controllerPathGlobs" config option described in the readme: https://github.com/lukeautry/tsoa
    // ###########################################################################################################


    
        const argsModerationsController_create: Record<string, TsoaRoute.ParameterSchema> = {
                body: {"in":"body","name":"body","required":true,"ref":"ModerationRequest"},
                req: {"in":"request","name":"req","required":true,"dataType":"object"},
        };
        app.post('/v1/moderations',
            ...(fetchMiddlewares<RequestHandler>(ModerationsController)),
            ...(fetchMiddlewares<RequestHandler>(ModerationsController.prototype.create)),

            async function ModerationsController_create(request: ExRequest, response: ExResponse, next: any) {

            // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa

            let validatedArgs: any[] = [];
            try {
                validatedArgs = templateService.getValidatedArgs({ args: argsModerationsController_create, request, response });

                const container: IocContainer = typeof iocContainer === 'function' ? (iocContainer as IocContainerFactory)(request) : iocContainer;

                const controller: any = await container.get<ModerationsController>(ModerationsController);
                if (typeof controller['setStatus'] === 'function') {
                controller.setStatus(undefined);
                }

              await templateService.apiHandler({
                methodName: 'create',
                controller,
                response,
                next,
                validatedArgs,
                successStatus: 200,
              });
            } catch (err) {
                return next(err);
            }
        });
        // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
        const argsModelsController_list: Record<string, TsoaRoute.ParameterSchema> = {
        };
        app.get('/v1/models',
            ...(fetchMiddlewares<RequestHandler>(ModelsController)),
            ...(fetchMiddlewares<RequestHandler>(ModelsController.prototype.list)),

            async function ModelsController_list(request: ExRequest, response: ExResponse, next: any) {

            // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa

            let validatedArgs: any[] = [];
            try {
                validatedArgs = templateService.getValidatedArgs({ args: argsModelsController_list, request, response });

                const container: IocContainer = typeof iocContainer === 'function' ? (iocContainer as IocContainerFactory)(request) : iocContainer;

                const controller: any = await container.get<ModelsController>(ModelsController);
                if (typeof controller['setStatus'] === 'function') {
                controller.setStatus(undefined);
                }

              await templateService.apiHandler({
                methodName: 'list',
                controller,
                response,
                next,
                validatedArgs,
                successStatus: undefined,
              });
            } catch (err) {
                return next(err);
            }
        });
        // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
        const argsHealthController_healthz: Record<string, TsoaRoute.ParameterSchema> = {
        };
        app.get('/healthz',
            ...(fetchMiddlewares<RequestHandler>(HealthController)),
            ...(fetchMiddlewares<RequestHandler>(HealthController.prototype.healthz)),

            async function HealthController_healthz(request: ExRequest, response: ExResponse, next: any) {

            // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa

            let validatedArgs: any[] = [];
            try {
                validatedArgs = templateService.getValidatedArgs({ args: argsHealthController_healthz, request, response });

                const container: IocContainer = typeof iocContainer === 'function' ? (iocContainer as IocContainerFactory)(request) : iocContainer;

                const controller: any = await container.get<HealthController>(HealthController);
                if (typeof controller['setStatus'] === 'function') {
                controller.setStatus(undefined);
                }

              await templateService.apiHandler({
                methodName: 'healthz',
                controller,
                response,
                next,
                validatedArgs,
                successStatus: undefined,
              });
            } catch (err) {
                return next(err);
            }
        });
        // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
        const argsHealthController_readyz: Record<string, TsoaRoute.ParameterSchema> = {
        };
        app.get('/readyz',
            ...(fetchMiddlewares<RequestHandler>(HealthController)),
            ...(fetchMiddlewares<RequestHandler>(HealthController.prototype.readyz)),

            async function HealthController_readyz(request: ExRequest, response: ExResponse, next: any) {

            // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa

            let validatedArgs: any[] = [];
            try {
                validatedArgs = templateService.getValidatedArgs({ args: argsHealthController_readyz, request, response });

                const container: IocContainer = typeof iocContainer === 'function' ? (iocContainer as IocContainerFactory)(request) : iocContainer;

                const controller: any = await container.get<HealthController>(HealthController);
                if (typeof controller['setStatus'] === 'function') {
                controller.setStatus(undefined);
                }

              await templateService.apiHandler({
                methodName: 'readyz',
                controller,
                response,
                next,
                validatedArgs,
                successStatus: 200,
              });
            } catch (err) {
                return next(err);
            }
        });
        // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
        const argsClassifyController_classify: Record<string, TsoaRoute.ParameterSchema> = {
                body: {"in":"body","name":"body","required":true,"ref":"ClassifyRequest"},
                req: {"in":"request","name":"req","required":true,"dataType":"object"},
        };
        app.post('/classify',
            ...(fetchMiddlewares<RequestHandler>(ClassifyController)),
            ...(fetchMiddlewares<RequestHandler>(ClassifyController.prototype.classify)),

            async function ClassifyController_classify(request: ExRequest, response: ExResponse, next: any) {

            // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa

            let validatedArgs: any[] = [];
            try {
                validatedArgs = templateService.getValidatedArgs({ args: argsClassifyController_classify, request, response });

                const container: IocContainer = typeof iocContainer === 'function' ? (iocContainer as IocContainerFactory)(request) : iocContainer;

                const controller: any = await container.get<ClassifyController>(ClassifyController);
                if (typeof controller['setStatus'] === 'function') {
                controller.setStatus(undefined);
                }

              await templateService.apiHandler({
                methodName: 'classify',
                controller,
                response,
                next,
                validatedArgs,
                successStatus: 200,
              });
            } catch (err) {
                return next(err);
            }
        });
        // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa

    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa


    // WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
}

// WARNING: This file was auto-generated with tsoa. Please do not modify it. Re-run tsoa to re-generate this file: https://github.com/lukeautry/tsoa
