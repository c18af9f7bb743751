import { defineEntity, p } from '@mikro-orm/core';
import { AdminProfile } from '../admin/admin-profile.entity.ts';
import { timestamps, uuidKey } from '../columns.ts';
import { MediaUpload } from '../content/media-upload.entity.ts';
import { ISSUE_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { Station } from './station.entity.ts';
import { StationIssueMedia } from './station-issue-media.entity.ts';

const StationIssueSchema = defineEntity({
  name: 'StationIssue',
  properties: {
    id: uuidKey(),
    station: () => p.manyToOne(Station).deleteRule('cascade'),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    issueType: p.string().length(40),
    description: p.string().length(2000),
    status: p.enum(ISSUE_STATUSES).default('open'),
    media: () => p.manyToMany(MediaUpload).pivotEntity(() => StationIssueMedia),
    /** The staff member working on it (admin review queue). */
    assignedTo: () => p.manyToOne(AdminProfile).nullable().deleteRule('set null').index(),
    /** What staff found or did, shown with the resolution. */
    resolutionNote: p.string().length(500).nullable(),
    resolvedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [{ properties: ['station', 'status'] }, { properties: ['user', 'createdAt'] }],
});

export class StationIssue extends StationIssueSchema.class {}
StationIssueSchema.setClass(StationIssue);
