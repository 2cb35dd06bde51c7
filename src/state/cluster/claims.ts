import type { PendingDelivery, StateData } from '../../model/state.js';
import { DeliveryBatch, type DeliveredEntry } from '../delivered.js';
import { bulk, hardFailures, type BulkOp } from './bulk.js';
import type { StateClient } from './client.js';
import { MAX_DOC_ID_BYTES } from './docs.js';
import { leaseNow } from '../../util/clock.js';

/** A claim on one pending item: who sends it, until when the claim holds, and whether it was sent (with its receipt). */
export interface ClaimDoc {
  kind: 'claim';
  id: string;
  holder: string;
  token: number;
  until: number;
  state: 'claimed' | 'sent';
  updated_at: number;
  body?: Omit<DeliveredEntry, 'id'>;
}

/** The id of the claim document of a pending item. */
export const claimId = (itemId: string) => `claim:${itemId}`;

/**
 * The claims of one run: created (create-only) before items are sent, so that of two runs that hold the same
 * pending item only one sends it; marked `sent` as each is accepted (in batches, while sending goes on); claims
 * of items not sent are given back at commit. A claim whose holder died is taken over once it expired.
 */
export class Claims {
  /** Claims this run holds, with the sequence number and primary term its next write must match. */
  private readonly held = new Map<string, { seqNo: number; primaryTerm: number; sent: boolean }>();
  private queue: DeliveredEntry[] = [];
  private flushing: Promise<void> | undefined;
  /** Why the last claim or mark could not be written, if it could not. */
  problem: string | undefined;

  constructor(
    private readonly client: StateClient,
    private readonly index: string,
    private readonly holder: string,
    private readonly token: number,
    private readonly ttlMs: number,
  ) {}

  /**
   * Claims the items and returns those this run may send. Items another run already sent are recorded as
   * delivered in `data` (their receipts kept); items another live run holds are left to it.
   */
  async claim(all: PendingDelivery[], data: StateData): Promise<PendingDelivery[]> {
    // An item whose claim id would be too long for the cluster (a hand-written item) is never claimed, so never sent:
    // in the request it would fail every other item's claim too.
    const items = all.filter((item) => Buffer.byteLength(claimId(item.id)) <= MAX_DOC_ID_BYTES);
    if (!items.length) return [];
    const now = leaseNow();
    const created = await bulk(this.client, this.index, items.map((item) => ({ op: 'create', id: claimId(item.id), doc: this.doc(item.id, 'claimed', now) })));
    // A claim the cluster refused (429 ...) is not this run's: its item waits for the next run; the others go out.
    this.note(created);
    const mine = new Set<string>();
    const taken: string[] = [];
    created.forEach((result, i) => {
      const id = items[i]!.id;
      if (result.status < 300) this.hold(id, result, false), mine.add(id);
      else if (result.status === 409) taken.push(id);
    });
    if (taken.length) {
      const got = await this.client.send('POST', `/${this.index}/_mget`, { ids: taken.map(claimId) });
      const takeovers: BulkOp[] = [];
      const delivered = new DeliveryBatch(data);
      for (const found of (got.body?.docs ?? []) as { _id: string; found: boolean; _source?: ClaimDoc; _seq_no?: number; _primary_term?: number }[]) {
        const claim = found._source;
        if (!found.found || !claim) continue;
        const id = found._id.slice('claim:'.length);
        if (claim.state === 'sent') delivered.mark({ id, at: claim.body?.at ?? claim.updated_at, ...(claim.body?.receipt ? { receipt: claim.body.receipt } : {}), ...(claim.body?.then ? { then: claim.body.then } : {}) });
        // Expired, or left by an earlier run of this host (this run holds the host's lock: that run is over).
        else if (claim.until < now || this.ownHostLeft(claim.holder)) takeovers.push({ op: 'index', id: found._id, doc: this.doc(id, 'claimed', now), seqNo: found._seq_no!, primaryTerm: found._primary_term! });
      }
      delivered.finish();
      const results = await bulk(this.client, this.index, takeovers);
      this.note(results);
      for (const result of results) if (result.status < 300) this.hold(result.id.slice('claim:'.length), result, false), mine.add(result.id.slice('claim:'.length));
    }
    return items.filter((item) => mine.has(item.id));
  }

  /** Marks an accepted item's claim `sent` (batched with others accepted meanwhile); never throws. */
  sent(entry: DeliveredEntry): void {
    if (!this.held.has(entry.id)) return;
    this.queue.push(entry);
    this.flushing ??= this.flush();
  }

  /** Waits until every `sent` mark so far was written (or failed). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** The operations that give back the claims of items still pending (not sent): another run may claim them at once. */
  giveBack(stillPending: ReadonlySet<string>): BulkOp[] {
    const ops: BulkOp[] = [];
    for (const [id, claim] of this.held) {
      if (claim.sent || !stillPending.has(id)) continue;
      ops.push({ op: 'delete', id: claimId(id), seqNo: claim.seqNo, primaryTerm: claim.primaryTerm });
      this.held.delete(id);
    }
    return ops;
  }

  private async flush(): Promise<void> {
    // Never done in the tick that started it (sent() sets `flushing` first).
    await undefined;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0);
        const now = leaseNow();
        const ops: BulkOp[] = batch.map((entry) => {
          const held = this.held.get(entry.id)!;
          const { id: _id, ...body } = entry;
          return { op: 'index', id: claimId(entry.id), doc: { ...this.doc(entry.id, 'sent', now), body }, seqNo: held.seqNo, primaryTerm: held.primaryTerm };
        });
        try {
          const results = await bulk(this.client, this.index, ops);
          for (const result of results) {
            if (result.status < 300) this.hold(result.id.slice('claim:'.length), result, true);
            else this.problem = `could not mark ${result.id} sent: ${result.error ?? `HTTP ${result.status}`}`;
          }
        } catch (error) {
          // The local journal has it: the next run of this host records the delivery.
          this.problem = (error as Error).message;
        }
      }
    } finally {
      // In the same step as the last check of the queue: a mark queued a microtask later starts a flush of its own.
      this.flushing = undefined;
    }
  }

  private ownHostLeft(holder: string): boolean {
    return holder !== this.holder && holder.startsWith(`${this.holder.split('/')[0]}/`);
  }

  private hold(id: string, result: { seqNo?: number; primaryTerm?: number }, sent: boolean): void {
    this.held.set(id, { seqNo: result.seqNo!, primaryTerm: result.primaryTerm!, sent });
  }

  private doc(id: string, state: ClaimDoc['state'], now: number): ClaimDoc {
    return { kind: 'claim', id: claimId(id), holder: this.holder, token: this.token, until: now + this.ttlMs, state, updated_at: now };
  }

  private note(results: ReturnType<typeof hardFailures>): void {
    const failed = hardFailures(results);
    if (failed.length) this.problem = `the state cluster refused ${failed.length} claims: ${failed[0]!.error ?? `HTTP ${failed[0]!.status}`}`;
  }
}
