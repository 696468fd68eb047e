/** Problem packages (issue 8 item 1): read a Kattis or DMOJ package into one model. See docs/problem-packages.md. */
export { loadProblemPackage, loadProblemPackageFromZip, type LoadOptions } from './load.js';
export { DEFAULT_PACKAGE_LIMITS, type PackageLimits } from './file-tree.js';
export { latexToMarkdown, type LatexConversion } from './latex.js';
export type * from './model.js';
