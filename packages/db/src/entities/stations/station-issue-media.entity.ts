import { defineEntity, p } from '@mikro-orm/core';
import { MediaUpload } from '../content/media-upload.entity.ts';
import { StationIssue } from './station-issue.entity.ts';

const StationIssueMediaSchema = defineEntity({
  name: 'StationIssueMedia',
  properties: {
    stationIssue: () => p.manyToOne(StationIssue).primary().deleteRule('cascade'),
    mediaUpload: () => p.manyToOne(MediaUpload).primary().deleteRule('cascade').index(),
  },
});

/** Photos attached to a station issue report (explicit pivot so the upload side is indexed too). */
export class StationIssueMedia extends StationIssueMediaSchema.class {}
StationIssueMediaSchema.setClass(StationIssueMedia);
