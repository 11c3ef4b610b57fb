import { Type } from 'typebox';

/** Request and response schemas of the ledger API: validated by the server and listed in /openapi.json. */

const Id = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$', description: 'Letters, digits and _ . : - (1–100).' });
const Cents = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'A positive whole number of cents.' });
const Note = Type.String({ maxLength: 500 });
// The server's Ajv knows no formats: patterns say what is accepted.
const Email = Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', maxLength: 320, description: 'An email address.' });

export const AccountParams = Type.Object({ accountId: Id });
export const CustomerParams = Type.Object({ customerId: Id });
export const TransferParams = Type.Object({ transferId: Id });

export const CommandHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$', description: 'Resend a command with the same key and it runs once; the retry gets the first outcome.' }),
  ),
  'if-match': Type.Optional(Type.String({ description: 'The account version the command was decided on, e.g. "7"; another version is 409 CONCURRENCY.' })),
});

export const OpenAccountBody = Type.Object(
  { accountId: Id, owner: Type.String({ minLength: 1, maxLength: 200 }), currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })) },
  { additionalProperties: false },
);
export const MoneyBody = Type.Object({ amountCents: Cents, note: Type.Optional(Note) }, { additionalProperties: false });
export const CloseBody = Type.Object({ reason: Type.Optional(Note) }, { additionalProperties: false });
export const TransferBody = Type.Object(
  { from: Id, to: Id, amountCents: Cents, note: Type.Optional(Note), waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 30_000, description: 'How long to wait for the outcome. Default 10,000.' })) },
  { additionalProperties: false },
);
export const CreateCustomerBody = Type.Object(
  { customerId: Id, name: Type.String({ minLength: 1, maxLength: 200 }), email: Email },
  { additionalProperties: false },
);
export const ChangeEmailBody = Type.Object({ email: Email }, { additionalProperties: false });
export const ForgetBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });

export const ListAccountsQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the owner\'s name, or the start of the account id.' })),
  after: Type.Optional(Type.String({ maxLength: 100, description: 'Keyset paging: the last account id of the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});
export const DateQuery = Type.Object({ date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A day, YYYY-MM-DD (UTC).' }) });
export const TimeTravelQuery = Type.Object({
  version: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  at: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T[0-9:.]+(Z|[+-]\\d{2}:\\d{2})$', description: 'An ISO-8601 instant.' })),
});

export const EventJson = Type.Object({
  position: Type.String(),
  streamId: Type.String(),
  version: Type.Integer(),
  eventId: Type.String(),
  type: Type.String(),
  data: Type.Unknown(),
  metadata: Type.Unknown(),
  recordedAt: Type.String(),
});

export const AccountState = Type.Object({
  status: Type.String(),
  accountId: Type.String(),
  owner: Type.String(),
  currency: Type.String(),
  balanceCents: Type.Integer(),
  transactions: Type.Integer(),
});

export const CommandResult = Type.Object({
  streamId: Type.String(),
  version: Type.Integer(),
  position: Type.Union([Type.String(), Type.Null()]),
  duplicate: Type.Boolean({ description: 'True when the Idempotency-Key was seen before: nothing new was appended.' }),
  state: Type.Unknown(),
  events: Type.Array(EventJson, { description: 'The events this command appended.' }),
});

export const AccountSummaryJson = Type.Object({
  accountId: Type.String(),
  owner: Type.String(),
  currency: Type.String(),
  status: Type.String(),
  balanceCents: Type.Integer(),
  transactions: Type.Integer(),
  openedAt: Type.String(),
  lastTransactionAt: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
});
