// Bots from submissions: unzip + make into a cache (prepare.ts), and the command that runs one (command.ts).
export { prepareSubmission, evict, PrepareOptionsError, type PrepareInput, type PrepareResult } from './prepare.js';
export { submissionClientCommand, botLimitsFromContainer, parseMemory, BotLimitsError, PYRENA_ARGS, type BotLimits } from './command.js';
export { unzipSubmission, ZipRefusedError, DEFAULT_UNZIP_LIMITS, type UnzipLimits } from './unzip.js';
export { zipDirectory, type ZipDirOptions } from './zip-dir.js';
export { demoBotDir } from './demo.js';
