import { UPLOAD_PURPOSES } from '@powerbank/db';
import { z } from 'zod';
import { authedProcedure } from '../../trpc/trpc.ts';
import { storeUploadForm } from './upload.service.ts';

export const UploadOutput = z.object({
  id: z.string().uuid(),
  purpose: z.enum(UPLOAD_PURPOSES),
  originalName: z.string(),
  mimeType: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  createdAt: z.date(),
});

/**
 * `app.upload` on tRPC: the same multipart form as `POST /api/app/upload`
 * (`file`, optional `purpose`), sent by the typed client as FormData (its
 * non-JSON link). No OpenAPI meta: the REST path is the Hono route, which
 * stores the form the same way (`storeUploadForm`).
 */
export const uploadProcedure = authedProcedure
  .input(z.instanceof(FormData, { message: 'send the file as multipart/form-data' }))
  .output(UploadOutput)
  .mutation(({ ctx, input }) =>
    storeUploadForm(ctx.em, ctx.uploads, { userId: ctx.auth.user.id, client: ctx.client }, input),
  );
