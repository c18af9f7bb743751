import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MediaUpload, UPLOAD_PURPOSES, User } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { TRPCError } from '@trpc/server';
import { uuidv7 } from 'uuidv7';
import type { ClientInfo } from '../../trpc/context.ts';
import { auditUser } from '../auth/user-audit.ts';
import type { FileStorage } from './file-storage.ts';

export interface UploadLimits {
  maxBytes: number;
  mimeTypes: readonly string[];
}

/** Where uploads go and what is accepted; one of each per app, shared by both transports. */
export interface Uploads {
  storage: FileStorage;
  limits: UploadLimits;
}

export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];

export interface UploadOutput {
  id: string;
  purpose: UploadPurpose;
  originalName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: Date;
}

/** First bytes of each accepted type: the declared Content-Type alone is whatever the client says. */
const SIGNATURES: Record<string, (bytes: Uint8Array) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v),
  'image/webp': (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP',
  'application/pdf': (b) => ascii(b, 0, 5) === '%PDF-',
};
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

/**
 * The upload as both transports receive it, a multipart form (`file`, optional
 * `purpose`): REST from `POST /api/app/upload`, tRPC as `app.upload`'s input.
 */
export function storeUploadForm(
  em: EntityManager,
  uploads: Uploads,
  owner: { userId: string; client: ClientInfo },
  form: FormData,
): Promise<UploadOutput> {
  const file = form.get('file');
  if (!(file instanceof File)) throw validation('file', 'a file field named "file" is required');
  return storeUpload(em, uploads.storage, uploads.limits, owner, file, form.get('purpose') ?? undefined);
}

/**
 * Stores one uploaded file for its owner: size and type checked (the type by
 * its first bytes too), bytes written to storage, then the MediaUpload row.
 * If the row cannot be written, the file is removed again.
 */
export async function storeUpload(
  em: EntityManager,
  storage: FileStorage,
  limits: UploadLimits,
  owner: { userId: string; client: ClientInfo },
  file: File,
  purposeField: unknown,
): Promise<UploadOutput> {
  const purpose = parsePurpose(purposeField);
  if (file.size === 0) throw validation('file', 'the file is empty');
  if (file.size > limits.maxBytes) {
    throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `file larger than ${limits.maxBytes} bytes` });
  }
  const mimeType = file.type.split(';')[0]?.trim().toLowerCase() ?? '';
  const bytes = new Uint8Array(await file.arrayBuffer());
  const signature = SIGNATURES[mimeType];
  if (!limits.mimeTypes.includes(mimeType) || !signature) {
    throw new TRPCError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `type ${mimeType || 'unknown'} not accepted: ${limits.mimeTypes.join(', ')}`,
    });
  }
  if (!signature(bytes)) {
    throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `the file's content is not ${mimeType}` });
  }

  const key = `${purpose}/${uuidv7()}.${EXTENSIONS[mimeType] ?? 'bin'}`;
  await storage.put(key, bytes);
  try {
    return await em.transactional(async (tx) => {
      const upload = tx.create(MediaUpload, {
        user: tx.getReference(User, owner.userId),
        purpose,
        storageKey: key,
        originalName: (file.name || 'upload').slice(0, 255),
        mimeType,
        sizeBytes: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
      auditUser(tx, owner.userId, 'upload.create', owner.client, {
        purpose,
        mimeType,
        sizeBytes: bytes.byteLength,
      });
      await tx.flush();
      return {
        id: upload.id,
        purpose: upload.purpose,
        originalName: upload.originalName,
        mimeType: upload.mimeType,
        sizeBytes: upload.sizeBytes,
        sha256: upload.sha256,
        createdAt: upload.createdAt,
      };
    });
  } catch (error) {
    await storage.delete(key).catch(() => undefined);
    throw error;
  }
}

function parsePurpose(value: unknown): UploadPurpose {
  if (value === undefined || value === '') return 'other';
  if (typeof value === 'string' && (UPLOAD_PURPOSES as readonly string[]).includes(value)) {
    return value as UploadPurpose;
  }
  throw validation('purpose', `must be one of ${UPLOAD_PURPOSES.join(', ')}`);
}

function validation(path: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `${path}: ${message}`, { fields: [{ path, message }] });
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}
