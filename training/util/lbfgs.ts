/**
 * Limited-memory BFGS with a backtracking (Armijo) line search, for the smooth convex objectives
 * of the logistic regressions here (the TF-IDF baseline, the model's linear branch). Plain loops
 * in a fixed order, so a given objective always gives the same floats.
 */

/** Minimises f (which fills the gradient g at x and returns f(x)) from x0; returns the minimiser. */
export function lbfgs(f: (x: Float64Array, g: Float64Array) => number, x0: Float64Array, maxIter = 200, m = 10, tol = 1e-5): Float64Array {
  const n = x0.length;
  const x = x0.slice();
  const g = new Float64Array(n);
  let fx = f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  for (let iter = 0; iter < maxIter; iter++) {
    let gnorm = 0;
    for (let i = 0; i < n; i++) gnorm = Math.max(gnorm, Math.abs(g[i]));
    if (gnorm < tol) break;
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const alpha: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[k][i] * d[i];
      a *= rho[k];
      alpha[k] = a;
      for (let i = 0; i < n; i++) d[i] -= a * Y[k][i];
    }
    if (S.length) {
      const k = S.length - 1;
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += S[k][i] * Y[k][i];
        yy += Y[k][i] * Y[k][i];
      }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[k][i] * d[i];
      b *= rho[k];
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alpha[k] - b);
    }
    let dg = 0;
    for (let i = 0; i < n; i++) dg += d[i] * g[i];
    if (dg >= 0) {
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dg = 0;
      for (let i = 0; i < n; i++) dg -= g[i] * g[i];
      S.length = Y.length = rho.length = 0;
    }
    // Backtracking (Armijo).
    let step = S.length ? 1 : 1 / Math.max(1, Math.sqrt(-dg));
    let fNew = Infinity;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * dg) break;
      step *= 0.5;
    }
    if (!(fNew < fx)) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
    }
    x.set(xNew);
    g.set(gNew);
    const rel = (fx - fNew) / Math.max(Math.abs(fx), 1);
    fx = fNew;
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    if (rel < 1e-9) break;
  }
  return x;
}
