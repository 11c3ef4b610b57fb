import { ConcurrencyError, createDecisionHandler, type EventStore, matchesQuery, type Query } from '@cairn/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { courseQuery, enrolment, maxCourses, uniqueUsername, usernameQuery } from './fixtures/dcb.js';
import { expectCode, type Suite, uniqueStream } from './harness.js';

const tagged = (type: string, tags: string[], data: unknown = {}) => ({ type, data, tags });

export function dcbTests(suite: Suite, runs: number): void {
  describe('tags, query reads and conditional appends', () => {
    it('read({ query }) matches any item: a type among types and all of the tags', async () => {
      const store = await suite.open();
      await store.append('s-1', [tagged('A', ['x:1', 'y:1']), tagged('B', ['x:1']), tagged('A', ['y:1']), tagged('C', [])]);
      await store.append('s-2', [tagged('B', ['x:1', 'y:1']), tagged('A', ['x:2'])]);
      const types = async (query: Query, after?: bigint) => (await store.read({ query, ...(after === undefined ? {} : { after }) })).events.map((e) => `${e.type}@${e.streamId}`);
      expect(await types([{ tags: ['x:1'] }])).toEqual(['A@s-1', 'B@s-1', 'B@s-2']);
      expect(await types([{ tags: ['x:1', 'y:1'] }])).toEqual(['A@s-1', 'B@s-2']);
      expect(await types([{ types: ['A'], tags: ['y:1'] }])).toEqual(['A@s-1', 'A@s-1']);
      expect(await types([{ types: ['A'] }])).toEqual(['A@s-1', 'A@s-1', 'A@s-2']);
      expect(await types([{ types: ['C'] }, { tags: ['x:2'] }])).toEqual(['C@s-1', 'A@s-2']);
      expect(await types([{ tags: ['nope'] }])).toEqual([]);
      const all = await store.read({ query: [{ tags: ['x:1'] }] });
      expect(all.position).toBe(await store.headPosition());
      expect(await types([{ tags: ['x:1'] }], all.events[1]?.position)).toEqual(['B@s-2']);
      expect((await store.read({ query: [{ tags: ['x:1'] }], limit: 2 })).events).toHaveLength(2);
    });

    it('a conditional append fails only when a matching event was committed after the position', async () => {
      const store = await suite.open();
      const query: Query = [{ types: ['Booked'], tags: ['room:1'] }];
      const before = await store.read({ query });
      expect(before.events).toEqual([]);
      await store.append('other-1', [tagged('Booked', ['room:2']), tagged('Cancelled', ['room:1'])]); // does not match
      const ok = await store.append('booking-1', [tagged('Booked', ['room:1'])], { condition: { failIfEventsMatch: query, after: before.position } });
      expect(ok.version).toBe(1);
      const error = await expectCode<ConcurrencyError>(
        store.append('booking-2', [tagged('Booked', ['room:1'])], { condition: { failIfEventsMatch: query, after: before.position } }),
        'CONCURRENCY',
      );
      expect(error.expected).toBe('condition');
      expect(error.message).toContain(`at position ${ok.position}`);
      expect(await store.streamInfo('booking-2')).toBeNull();
      const again = await store.read({ query });
      await store.append('booking-2', [tagged('Cancelled', ['room:1'])], { condition: { failIfEventsMatch: query, after: again.position } });
      // With no `after`, the condition means "no matching event at all".
      await expectCode(store.append('booking-3', [tagged('X', [])], { condition: { failIfEventsMatch: query } }), 'CONCURRENCY');
    });

    it('conditions mix with expected versions, and stream-less appends go to the stream of the first tag', async () => {
      const store = await suite.open();
      const query: Query = [{ tags: ['course:c1'] }];
      const r = await store.append([tagged('CourseDefined', ['course:c1'], { capacity: 2 })], { condition: { failIfEventsMatch: query } });
      expect(r.streamId).toBe('course-c1');
      const id = uniqueStream('student');
      await store.append(id, [tagged('Noted', [])]);
      const read = await store.read({ query });
      await expectCode(store.append(id, [tagged('Joined', ['course:c1'])], { expectedVersion: 0, condition: { failIfEventsMatch: query, after: read.position } }), 'CONCURRENCY');
      const ok = await store.append(id, [tagged('Joined', ['course:c1'])], { expectedVersion: 1, condition: { failIfEventsMatch: query, after: read.position } });
      expect(ok.version).toBe(2);
      await expectCode(store.append([tagged('A', [])], { condition: { failIfEventsMatch: query } }), 'INVALID_ARGUMENT');
      await expectCode(store.append([tagged('A', ['t:1'])] as never, {} as never), 'INVALID_ARGUMENT');
      await expectCode(store.read({ query: [{}] }), 'INVALID_ARGUMENT');
      await expectCode(store.read({ query: [] }), 'INVALID_ARGUMENT');
      await expectCode(store.read({ query: [{ tags: 'x' as never }] }), 'INVALID_ARGUMENT');
    });

    it('unique usernames: 8 concurrent writers, 0 violations', async () => {
      const store = await suite.open();
      const register = createDecisionHandler({
        store,
        decider: uniqueUsername,
        query: usernameQuery,
        streamId: (c) => `user-${c.userId}`,
        retry: { attempts: 50, baseDelayMs: 1, maxDelayMs: 20 },
      });
      const names = ['ada', 'bob', 'cy', 'dee', 'eve'];
      let taken = 0;
      let registered = 0;
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 10; i++) {
            try {
              await register.handle({ userId: `${w}-${i}-${crypto.randomUUID().slice(0, 6)}`, username: names[(w + i) % names.length] as string });
              registered++;
            } catch (error) {
              if ((error as { code?: string }).code !== 'USERNAME_TAKEN') throw error;
              taken++;
            }
          }
        }),
      );
      const counts = new Map<string, number>();
      for (const e of await store.readAll({ types: ['UserRegistered'] }).toArray()) {
        const name = (e.data as { username: string }).username;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      const violations = [...counts.values()].filter((n) => n > 1).length;
      expect(violations).toBe(0);
      expect(registered).toBe(names.length);
      expect(taken).toBe(80 - names.length);
    }, 60_000);

    it(`course capacity and per-student limit: 8 concurrent writers, 0 violations`, async () => {
      const store = await suite.open();
      const courses = ['c1', 'c2', 'c3', 'c4'];
      for (const c of courses) await store.append([tagged('CourseDefined', [`course:${c}`], { courseId: c, capacity: 4 })], { condition: { failIfEventsMatch: [{ tags: [`course:${c}`] }] } });
      const subscribe = createDecisionHandler({ store, decider: enrolment, query: courseQuery, retry: { attempts: 100, baseDelayMs: 1, maxDelayMs: 20 } });
      const outcomes = new Map<string, number>();
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 12; i++) {
            const command = { studentId: `s${(w * 7 + i) % 6}`, courseId: courses[(w + i * 3) % courses.length] as string };
            try {
              await subscribe.handle(command);
              outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
            } catch (error) {
              const code = (error as { code?: string }).code ?? 'other';
              if (!['COURSE_FULL', 'STUDENT_LIMIT', 'ALREADY_SUBSCRIBED'].includes(code)) throw error;
              outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
            }
          }
        }),
      );
      const perCourse = new Map<string, number>();
      const perStudent = new Map<string, number>();
      const pairs = new Set<string>();
      let duplicates = 0;
      for (const e of await store.readAll({ types: ['StudentSubscribed'] }).toArray()) {
        const { studentId, courseId } = e.data as { studentId: string; courseId: string };
        perCourse.set(courseId, (perCourse.get(courseId) ?? 0) + 1);
        perStudent.set(studentId, (perStudent.get(studentId) ?? 0) + 1);
        if (pairs.has(`${studentId}/${courseId}`)) duplicates++;
        pairs.add(`${studentId}/${courseId}`);
      }
      const violations = [...perCourse.values()].filter((n) => n > 4).length + [...perStudent.values()].filter((n) => n > maxCourses).length + duplicates;
      expect(violations).toBe(0);
      expect(outcomes.get('ok')).toBe(pairs.size);
      expect(pairs.size).toBeGreaterThan(0);
    }, 120_000);

    it(`model-based: random tagged and conditional appends agree with the reference semantics (${runs} runs)`, async () => {
      const tagArb = fc.constantFrom('a:1', 'a:2', 'b:1', 'b:2');
      const typeArb = fc.constantFrom('T1', 'T2', 'T3');
      const queryArb = fc.array(
        fc.oneof(
          fc.record({ tags: fc.uniqueArray(tagArb, { minLength: 1, maxLength: 2 }) }),
          fc.record({ types: fc.uniqueArray(typeArb, { minLength: 1, maxLength: 2 }) }),
          fc.record({ types: fc.uniqueArray(typeArb, { minLength: 1, maxLength: 2 }), tags: fc.uniqueArray(tagArb, { minLength: 1, maxLength: 2 }) }),
        ),
        { minLength: 1, maxLength: 3 },
      );
      const opArb = fc.record({
        type: typeArb,
        tags: fc.uniqueArray(tagArb, { maxLength: 3 }),
        conditional: fc.boolean(),
        query: queryArb,
        afterPick: fc.nat(),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 15 }), async (ops) => {
          const store: EventStore = await suite.open();
          const model: Array<{ position: bigint; type: string; tags: string[] }> = [];
          const known: bigint[] = [0n];
          for (const op of ops) {
            const event = tagged(op.type, op.tags);
            if (!op.conditional) {
              const r = await store.append(uniqueStream('m'), [event]);
              model.push({ position: r.position, type: op.type, tags: op.tags });
              known.push(r.position);
              continue;
            }
            const after = known[op.afterPick % known.length] as bigint;
            const shouldFail = model.some((e) => e.position > after && matchesQuery(op.query as Query, e));
            const outcome = await store.append(uniqueStream('m'), [event], { condition: { failIfEventsMatch: op.query as Query, after } }).then(
              (r) => r,
              (e: unknown) => e,
            );
            if (shouldFail) expect(outcome).toBeInstanceOf(ConcurrencyError);
            else {
              expect(outcome).not.toBeInstanceOf(Error);
              const r = outcome as { position: bigint };
              model.push({ position: r.position, type: op.type, tags: op.tags });
              known.push(r.position);
            }
            const read = await store.read({ query: op.query as Query, after });
            expect(read.events.map((e) => e.position)).toEqual(model.filter((e) => e.position > after && matchesQuery(op.query as Query, e)).map((e) => e.position));
          }
        }),
        { numRuns: runs },
      );
    }, 120_000);
  });
}
