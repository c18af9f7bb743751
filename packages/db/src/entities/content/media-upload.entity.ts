import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { UPLOAD_PURPOSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';

const MediaUploadSchema = defineEntity({
  name: 'MediaUpload',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).nullable().deleteRule('set null'),
    purpose: p.enum(UPLOAD_PURPOSES).default('other'),
    /** Key in the storage backend (disk path or object key). */
    storageKey: p.string().length(255).unique(),
    originalName: p.string().length(255),
    mimeType: p.string().length(100),
    sizeBytes: p.integer(),
    sha256: p.string().length(64),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['user', 'createdAt'] }],
  checks: [{ name: 'media_upload_size_positive', expression: 'size_bytes > 0' }],
});

export class MediaUpload extends MediaUploadSchema.class {}
MediaUploadSchema.setClass(MediaUpload);
