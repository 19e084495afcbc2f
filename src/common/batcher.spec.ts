import { Batcher } from './batcher';

/** A run whose batches finish only when the test says so, recording each batch it was given. */
function controlledRun() {
  const batches: string[][] = [];
  const pending: { items: string[]; finish: (fail?: Error) => void }[] = [];
  const run = (items: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push(items);
      pending.push({
        items,
        finish: (fail) => (fail ? reject(fail) : resolve(items.map((x) => `done ${x}`))),
      });
    });
  /** Finishes the oldest running batch and lets its promises and the next batch start. */
  const finishOldest = async (fail?: Error) => {
    pending.shift()!.finish(fail);
    await new Promise((r) => setImmediate(r));
  };
  return { run, batches, pending, finishOldest };
}

const keyOf = (item: string) => item.split(':')[0];

describe('Batcher', () => {
  it('runs a lone item at once, alone', async () => {
    const c = controlledRun();
    const b = new Batcher(c.run, keyOf, { inFlight: 2, maxBatch: 10 });
    const answer = b.submit('a:1');
    expect(c.batches).toEqual([['a:1']]);
    await c.finishOldest();
    await expect(answer).resolves.toBe('done a:1');
  });

  it('sends what queued while every slot was busy as one batch, each item its own answer', async () => {
    const c = controlledRun();
    const b = new Batcher(c.run, keyOf, { inFlight: 2, maxBatch: 10 });
    const answers = ['a:1', 'b:1', 'c:1', 'd:1', 'e:1'].map((x) => b.submit(x));
    expect(c.batches).toEqual([['a:1'], ['b:1']]);
    await c.finishOldest();
    expect(c.batches[2]).toEqual(['c:1', 'd:1', 'e:1']);
    await c.finishOldest();
    await c.finishOldest();
    await expect(Promise.all(answers)).resolves.toEqual([
      'done a:1',
      'done b:1',
      'done c:1',
      'done d:1',
      'done e:1',
    ]);
  });

  it('never puts two items of one key in a batch, and keeps them in arrival order', async () => {
    const c = controlledRun();
    const b = new Batcher(c.run, keyOf, { inFlight: 1, maxBatch: 10 });
    const answers = ['x:0', 'a:1', 'a:2', 'b:1', 'a:3', 'b:2'].map((x) => b.submit(x));
    await c.finishOldest();
    expect(c.batches[1]).toEqual(['a:1', 'b:1']);
    await c.finishOldest();
    expect(c.batches[2]).toEqual(['a:2', 'b:2']);
    await c.finishOldest();
    expect(c.batches[3]).toEqual(['a:3']);
    await c.finishOldest();
    await expect(Promise.all(answers)).resolves.toHaveLength(6);
  });

  it('takes at most maxBatch items a batch', async () => {
    const c = controlledRun();
    const b = new Batcher(c.run, keyOf, { inFlight: 1, maxBatch: 2 });
    const answers = ['x:0', 'a:1', 'b:1', 'c:1'].map((x) => b.submit(x));
    await c.finishOldest();
    expect(c.batches[1]).toEqual(['a:1', 'b:1']);
    await c.finishOldest();
    expect(c.batches[2]).toEqual(['c:1']);
    await c.finishOldest();
    await Promise.all(answers);
  });

  it('runs the items of a failed batch again one by one, so only the item that fails fails', async () => {
    const runs: string[][] = [];
    const b = new Batcher(
      (items: string[]) => {
        runs.push(items);
        return items.includes('bad:1')
          ? Promise.reject(new Error('value out of range'))
          : Promise.resolve(items.map((x) => `done ${x}`));
      },
      keyOf,
      { inFlight: 1, maxBatch: 10 },
    );
    const answers = ['x:0', 'a:1', 'bad:1', 'b:1'].map((x) =>
      b.submit(x).then(
        (r) => r,
        (e: Error) => `failed: ${e.message}`,
      ),
    );
    await expect(Promise.all(answers)).resolves.toEqual([
      'done x:0',
      'done a:1',
      'failed: value out of range',
      'done b:1',
    ]);
    expect(runs).toEqual([['x:0'], ['a:1', 'bad:1', 'b:1'], ['a:1'], ['bad:1'], ['b:1']]);
  });

  it("fails a failed batch's items with its error and goes on with the next batch", async () => {
    const c = controlledRun();
    const b = new Batcher(c.run, keyOf, { inFlight: 1, maxBatch: 10 });
    const first = b.submit('a:1');
    const second = b.submit('b:1');
    const failure = new Error('statement failed');
    const firstFails = expect(first).rejects.toBe(failure);
    await c.finishOldest(failure);
    await firstFails;
    expect(c.batches[1]).toEqual(['b:1']);
    await c.finishOldest();
    await expect(second).resolves.toBe('done b:1');
  });

  it('fails every item of a batch whose run answers the wrong number of results', async () => {
    const b = new Batcher((items: string[]) => Promise.resolve(items.slice(1)), keyOf, {
      inFlight: 1,
      maxBatch: 10,
    });
    await expect(b.submit('a:1')).rejects.toThrow('batch of 1 answered 0 results');
  });
});
