export { judgeSubmission, type JudgeOptions, type JudgeResult, type JudgedTest, type JudgeSubmission } from './judge.js';
export { DEFAULT_JUDGE_LIMITS, judgeLimits, judgePlan, wallFor, type JudgeLimits, type JudgePlan } from './plan.js';
export { verifyPackage, deriveTimeLimit, MEASURE_CPU_MS, type VerifyReport, type VerifyRow, type TimeLimitInfo } from './verify.js';
