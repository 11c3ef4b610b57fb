export { testEventStore, type ConformanceOptions } from './conformance/test-event-store.js';
export { deposit, expectCode, type StoreHarness, uniqueStream } from './conformance/harness.js';
export { take } from './conformance/subscribe.js';
export { asHistory, type Given, given, givenAggregate, type When } from './domain/given.js';
export { Child, Children, waitUntil } from './processes/children.js';
