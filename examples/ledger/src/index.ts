export { type Account, type AccountCommand, type AccountEvent, AccountAlreadyOpen, AccountNotOpen, account, accountStream, InsufficientFunds, InvalidAmount } from './domain/account.js';
export { type Transfer, type TransferCommand, type TransferEvent, TransferNotPossible, transfer, transferStream } from './domain/transfer.js';
export { User, type UserEvent, UserInactive, userCreatedV1ToV2, userPersonalData, userStream } from './domain/user.js';
export { ACCOUNT_SUMMARIES, type AccountSummary, accountSummaries } from './read-models/account-summaries.js';
export { DAILY_BALANCES, dailyBalances, dayOf } from './read-models/daily-balances.js';
export { type BalanceOn, Ledger } from './ledger.js';
