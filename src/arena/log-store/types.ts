export interface LogStore {
  readonly kind: 'file' | 's3';
  /** Stores the body under the key and returns the URL to write to the database (the same as url(key)). */
  put(key: string, body: Buffer | NodeJS.ReadableStream, contentType?: string): Promise<string>;
  url(key: string): string;
}

export interface LogStoreOptions {
  /** Largest body put() accepts; larger ones are refused with LogTooLargeError. Default 64 MiB. */
  maxBytes?: number;
  /** For s3:// stores: the client to use (default: a new S3Client, path-style, endpoint from AWS_ENDPOINT_URL_S3). */
  s3Client?: import('@aws-sdk/client-s3').S3Client;
  /** For s3:// stores: URLs become `${publicBaseUrl}/${prefix}${key}` instead of `s3://bucket/prefix/key`. */
  publicBaseUrl?: string;
}
