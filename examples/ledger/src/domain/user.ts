import { Aggregate, DomainError, type PersonalDataRules, upcaster } from '@cairn/core';

/**
 * Seed 001's UserAggregate, as an aggregate class. `UserCreated` was first stored as
 * v1 `{ email, name }`; the current schema is v2 `{ contactEmail, name }`. Old events stay
 * stored as v1 and are upcast on every read by `userCreatedV1ToV2`.
 */
export type UserEvent =
  | { type: 'UserCreated'; data: { contactEmail: string; name: string } }
  | { type: 'UserEmailChanged'; data: { oldEmail: string; newEmail: string } }
  | { type: 'UserDeactivated'; data: { reason: string } }
  | { type: 'UserReactivated'; data: { reason: string } };

export const userCreatedV1ToV2 = upcaster<{ email: string; name: string }, { contactEmail: string; name: string }>('UserCreated', 1, (d) => ({
  contactEmail: d.email,
  name: d.name,
}));

export class UserInactive extends DomainError {
  constructor() {
    super('USER_INACTIVE', 'The user is deactivated; reactivate them first.');
  }
}

export class User extends Aggregate<UserEvent> {
  email: string | null = null;
  name: string | null = null;
  active = true;
  emailHistory: string[] = [];

  create(contactEmail: string, name: string): void {
    if (this.version > 0 || this.email !== null) throw new DomainError('USER_EXISTS', 'The user already exists.');
    this.raise({ type: 'UserCreated', data: { contactEmail, name } });
  }

  changeEmail(newEmail: string): void {
    if (!this.active) throw new UserInactive();
    if (newEmail === this.email) return;
    this.raise({ type: 'UserEmailChanged', data: { oldEmail: this.email ?? '', newEmail } });
  }

  deactivate(reason: string): void {
    if (!this.active) throw new DomainError('USER_ALREADY_INACTIVE', 'The user is already deactivated.');
    this.raise({ type: 'UserDeactivated', data: { reason } });
  }

  reactivate(reason: string): void {
    if (this.active) throw new DomainError('USER_ALREADY_ACTIVE', 'The user is already active.');
    this.raise({ type: 'UserReactivated', data: { reason } });
  }

  protected apply(event: UserEvent): void {
    switch (event.type) {
      case 'UserCreated':
        this.email = event.data.contactEmail;
        this.name = event.data.name;
        this.active = true;
        this.emailHistory = [event.data.contactEmail];
        break;
      case 'UserEmailChanged':
        this.email = event.data.newEmail;
        this.emailHistory = [...this.emailHistory, event.data.newEmail];
        break;
      case 'UserDeactivated':
        this.active = false;
        break;
      case 'UserReactivated':
        this.active = true;
        break;
    }
  }
}

export const userStream = (userId: string): string => `user-${userId}`;

/** The user's personal data: encrypted per user, forgotten with `store.forget(userStream(id))`. */
export const userPersonalData: PersonalDataRules = {
  UserCreated: { subject: (_data, streamId) => streamId, fields: ['contactEmail', 'email', 'name'] },
  UserEmailChanged: { subject: (_data, streamId) => streamId, fields: ['oldEmail', 'newEmail'] },
};
