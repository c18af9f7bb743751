import { defineEntity, p } from '@mikro-orm/core';
import { AdminProfile } from '../admin/admin-profile.entity.ts';
import { timestamps, uuidKey } from '../columns.ts';
import { MediaUpload } from '../content/media-upload.entity.ts';
import { ISSUE_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { Rental } from './rental.entity.ts';
import { RentalIssueMedia } from './rental-issue-media.entity.ts';

const RentalIssueSchema = defineEntity({
  name: 'RentalIssue',
  properties: {
    id: uuidKey(),
    rental: () => p.manyToOne(Rental).deleteRule('cascade').index(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    issueType: p.string().length(40),
    description: p.string().length(2000),
    status: p.enum(ISSUE_STATUSES).default('open').index(),
    media: () => p.manyToMany(MediaUpload).pivotEntity(() => RentalIssueMedia),
    /** The staff member working on it (admin review queue). */
    assignedTo: () => p.manyToOne(AdminProfile).nullable().deleteRule('set null').index(),
    /** What staff found or did, shown with the resolution. */
    resolutionNote: p.string().length(500).nullable(),
    resolvedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [{ properties: ['user', 'createdAt'] }],
});

export class RentalIssue extends RentalIssueSchema.class {}
RentalIssueSchema.setClass(RentalIssue);
