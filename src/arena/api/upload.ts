import type { FastifyRequest } from 'fastify';
import { CallerError, ErrorCodes } from '../../errors.js';
import { HttpCodes } from '../../server/http-errors.js';

/** The multipart field that carries the package. */
export const PACKAGE_FIELD = 'file';
const ARCHIVE_NAME = /\.(zip|kpp)$/i;

/**
 * Reads the one package of a `POST /problems/import` (multipart/form-data, the archive in the
 * `file` part). At most `maxBytes` are read: past that the upload is refused with 413
 * PACKAGE_TOO_LARGE without buffering the rest; a second file part is TOO_MANY_FILES. Every
 * message names the file, as the package loader's do.
 */
export async function readPackageUpload(request: FastifyRequest, maxBytes: number): Promise<{ zip: Buffer; filename: string }> {
  if (!request.isMultipart()) {
    throw new CallerError(HttpCodes.unsupportedMediaType, `send multipart/form-data with the package (.zip or .kpp) in the \`${PACKAGE_FIELD}\` field`);
  }
  let found: { zip: Buffer; filename: string } | undefined;
  try {
    // files: 1 makes a second file a FilesLimitError; fields are ignored (the options are query parameters).
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 12 } })) {
      if (part.type !== 'file') continue;
      const filename = part.filename || PACKAGE_FIELD;
      if (part.fieldname !== PACKAGE_FIELD) {
        throw new CallerError(HttpCodes.validation, `${filename}: the package goes in the \`${PACKAGE_FIELD}\` field, not \`${part.fieldname}\``, { field: part.fieldname });
      }
      if (!ARCHIVE_NAME.test(filename)) {
        throw new CallerError(ErrorCodes.packageInvalid, `${filename}: a package upload is a .zip or .kpp archive`, { path: filename, reason: 'not-an-archive' });
      }
      let zip: Buffer;
      try {
        zip = await part.toBuffer();
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new CallerError(ErrorCodes.packageTooLarge, `${filename}: the upload is over ${maxBytes} bytes (ARENA_PACKAGE_MAX_MB)`, {
            limit: 'uploadBytes',
            max: maxBytes,
            path: filename,
          });
        }
        throw err;
      }
      found = { zip, filename };
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') {
      throw new CallerError(ErrorCodes.tooManyFiles, `${found?.filename ?? 'the upload'}: send one package per request (one file part, \`${PACKAGE_FIELD}\`)`, { max: 1 });
    }
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new CallerError(HttpCodes.validation, 'the multipart body has too many parts: send the package in the `file` field only', { max: 1 });
    }
    if (err instanceof Error && !(err instanceof CallerError) && /multipart|boundary|terminated early|Unexpected end/i.test(err.message)) {
      throw new CallerError(HttpCodes.malformedRequest, `the multipart body is malformed: ${err.message}`);
    }
    throw err;
  }
  if (!found) throw new CallerError(HttpCodes.validation, `the multipart body has no \`${PACKAGE_FIELD}\` part with the package`);
  return found;
}
