export { type Account, type AccountCommand, type AccountEvent, AccountAlreadyOpen, AccountNotOpen, account, accountStream, InsufficientFunds, InvalidAmount } from './domain/account.js';
export { User, type UserEvent, UserInactive, userCreatedV1ToV2, userStream } from './domain/user.js';
