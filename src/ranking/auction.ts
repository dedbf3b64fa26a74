/**
 * Sponsored slots: the classic generalised second-price auction on eCPM = bid x pCTR x 1000.
 * Only candidates that passed the relevance floor may bid, so an ad is never an irrelevant result.
 * A winner pays per click the least bid that would still have beaten the next eCPM (or the reserve).
 */
export interface Bidder {
  readonly ctr: number;
  readonly bidCpcCents?: number;
}

export interface AuctionResult<T extends Bidder = Bidder> {
  readonly winners: readonly { candidate: T; ecpmCents: number; priceCpcCents: number }[];
}

export function runAuction<T extends Bidder>(candidates: readonly T[], slots: number, reserveCpmCents: number): AuctionResult<T> {
  const bids = candidates
    .filter((c) => c.bidCpcCents !== undefined && c.bidCpcCents > 0 && Number.isFinite(c.ctr) && c.ctr > 0)
    .map((c) => ({ candidate: c, ecpmCents: c.bidCpcCents! * c.ctr * 1000 }))
    .filter((b) => b.ecpmCents >= reserveCpmCents)
    .sort((a, b) => b.ecpmCents - a.ecpmCents);
  const winners = bids.slice(0, slots).map((b, i) => {
    const next = Math.max(bids[i + 1]?.ecpmCents ?? 0, reserveCpmCents);
    const price = Math.min(b.candidate.bidCpcCents!, Math.ceil(next / (b.candidate.ctr * 1000)));
    return { candidate: b.candidate, ecpmCents: b.ecpmCents, priceCpcCents: Math.max(1, price) };
  });
  return { winners };
}
