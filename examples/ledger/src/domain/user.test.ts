import { givenAggregate } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import { User, userCreatedV1ToV2 } from './user.js';

const created = { type: 'UserCreated' as const, data: { contactEmail: 'ada@old.example', name: 'Ada' } };

describe('user aggregate (seed 001)', () => {
  it('is created and keeps an email history', () => {
    givenAggregate(() => new User()).when((u) => u.create('ada@old.example', 'Ada')).then(created);
    givenAggregate(() => new User(), [created, { type: 'UserEmailChanged', data: { oldEmail: 'ada@old.example', newEmail: 'ada@new.example' } }])
      .when((u) => u.changeEmail('ada@newest.example'))
      .thenState((u) => expect(u.emailHistory).toEqual(['ada@old.example', 'ada@new.example', 'ada@newest.example']));
  });

  it('changing to the same email is a no-op', () => {
    givenAggregate(() => new User(), [created]).when((u) => u.changeEmail('ada@old.example')).thenNothing();
  });

  it('a deactivated user cannot change email until reactivated', () => {
    const deactivated = { type: 'UserDeactivated' as const, data: { reason: 'fraud check' } };
    givenAggregate(() => new User(), [created, deactivated]).when((u) => u.changeEmail('x@example.com')).thenThrows('USER_INACTIVE');
    givenAggregate(() => new User(), [created, deactivated]).when((u) => u.reactivate('cleared')).then({ type: 'UserReactivated', data: { reason: 'cleared' } });
    givenAggregate(() => new User(), [created]).when((u) => u.reactivate('x')).thenThrows('USER_ALREADY_ACTIVE');
  });

  it('the v1 → v2 upcaster renames email to contactEmail', () => {
    expect(userCreatedV1ToV2.upcast({ email: 'a@b.c', name: 'A' }, undefined as never)).toEqual({ contactEmail: 'a@b.c', name: 'A' });
  });
});
