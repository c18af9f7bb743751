import type { EntityManager } from '@mikro-orm/postgresql';
import { MediaUpload, StationIssue, User } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import { findActiveStation } from './station-favorites.service.ts';
import type {
  MyReportsInput,
  MyReportsOutput,
  ReportIssueInput,
  StationIssueItem,
  StationIssuesInput,
  StationIssuesOutput,
} from './stations.schemas.ts';

/**
 * Files a problem report on a station. Photos must be the caller's own uploads:
 * someone else's upload id and an unknown one are refused alike (403), so the
 * answer says nothing about other users' files.
 */
export async function reportStationIssue(
  em: EntityManager,
  userId: string,
  input: ReportIssueInput,
): Promise<StationIssueItem> {
  const station = await findActiveStation(em, input.sn);
  const mediaIds = [...new Set(input.mediaIds)];
  const media = mediaIds.length ? await em.find(MediaUpload, { id: { $in: mediaIds }, user: userId }) : [];
  if (media.length !== mediaIds.length) {
    const own = new Set(media.map((m) => m.id));
    throw new DomainError('FORBIDDEN', 'media must be your own uploads', {
      notYours: mediaIds.filter((id) => !own.has(id)),
    });
  }
  const issue = em.create(StationIssue, {
    station,
    user: em.getReference(User, userId),
    issueType: input.issueType,
    description: input.description,
  });
  issue.media.set(media);
  await em.flush();
  return toIssueItem(issue);
}

/** The caller's own reports, newest first. */
export async function listMyReports(
  em: EntityManager,
  userId: string,
  input: MyReportsInput,
): Promise<MyReportsOutput> {
  const [issues, total] = await em.findAndCount(
    StationIssue,
    { user: userId },
    {
      populate: ['station', 'media'],
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: input.page_size,
      offset: offsetOf(input),
    },
  );
  return pageOf(issues.map(toIssueItem), input, total);
}

/**
 * A station's reports (by default those still open or in progress), newest
 * first, so users see a known problem before reporting it again. Other users'
 * descriptions and photos are not shown.
 */
export async function listStationIssues(
  em: EntityManager,
  userId: string,
  input: StationIssuesInput,
): Promise<StationIssuesOutput> {
  const station = await findActiveStation(em, input.sn);
  const [issues, total] = await em.findAndCount(
    StationIssue,
    { station, status: input.status ?? { $in: ['open', 'in_progress'] } },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: input.page_size, offset: offsetOf(input) },
  );
  return pageOf(
    issues.map((issue) => {
      const mine = issue.user.id === userId;
      return {
        id: issue.id,
        issueType: issue.issueType,
        status: issue.status,
        mine,
        description: mine ? issue.description : null,
        createdAt: issue.createdAt,
        resolvedAt: issue.resolvedAt ?? null,
      };
    }),
    input,
    total,
  );
}

function toIssueItem(issue: StationIssue): StationIssueItem {
  return {
    id: issue.id,
    station: { sn: issue.station.serialNumber, name: issue.station.name },
    issueType: issue.issueType,
    description: issue.description,
    status: issue.status,
    mediaIds: issue.media.getItems().map((m) => m.id),
    createdAt: issue.createdAt,
    resolvedAt: issue.resolvedAt ?? null,
  };
}
