import { defineEntity, p } from '@mikro-orm/core';
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
    resolvedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [{ properties: ['user', 'createdAt'] }],
});

export class RentalIssue extends RentalIssueSchema.class {}
RentalIssueSchema.setClass(RentalIssue);
