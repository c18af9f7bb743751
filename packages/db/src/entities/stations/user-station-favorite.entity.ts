import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { User } from '../identity/user.entity.ts';
import { Station } from './station.entity.ts';

const UserStationFavoriteSchema = defineEntity({
  name: 'UserStationFavorite',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    station: () => p.manyToOne(Station).deleteRule('cascade').index(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['user', 'station'] }],
});

export class UserStationFavorite extends UserStationFavoriteSchema.class {}
UserStationFavoriteSchema.setClass(UserStationFavorite);
