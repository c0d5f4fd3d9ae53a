/*
 * The mocha globals web-test-runner provides in the test page, typed just enough for tsc
 * (@types/mocha is not installed, and the whole repo is type-checked).
 */
type MochaDone = (err?: unknown) => void;
type MochaFn = (this: { timeout(ms: number): void }, done: MochaDone) => void | Promise<unknown>;
type MochaTestFn = ((this: { timeout(ms: number): void }) => void | Promise<unknown>) | MochaFn;

declare function describe(title: string, body: (this: { timeout(ms: number): void }) => void): void;
declare function it(title: string, body?: MochaTestFn): void;
declare function before(body: MochaTestFn): void;
declare function after(body: MochaTestFn): void;
declare function beforeEach(body: MochaTestFn): void;
declare function afterEach(body: MochaTestFn): void;
