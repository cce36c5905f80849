// The local backend's public surface.
export { LocalBackend, LocalBackendOptionsError, UnknownServerError, type LocalBackendOptions } from './local-backend.js';
export { ensureBackupGameserver, isLoopbackHost, type BackupGameserverHandle, type BackupGameserverOptions } from './backup-gameserver.js';
