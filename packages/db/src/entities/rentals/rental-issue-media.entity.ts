import { defineEntity, p } from '@mikro-orm/core';
import { MediaUpload } from '../content/media-upload.entity.ts';
import { RentalIssue } from './rental-issue.entity.ts';

const RentalIssueMediaSchema = defineEntity({
  name: 'RentalIssueMedia',
  properties: {
    rentalIssue: () => p.manyToOne(RentalIssue).primary().deleteRule('cascade'),
    mediaUpload: () => p.manyToOne(MediaUpload).primary().deleteRule('cascade').index(),
  },
});

/** Photos attached to a rental issue report (explicit pivot so the upload side is indexed too). */
export class RentalIssueMedia extends RentalIssueMediaSchema.class {}
RentalIssueMediaSchema.setClass(RentalIssueMedia);
