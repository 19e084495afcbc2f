import fc from 'fast-check';
import { routeReferral, type RoutableRep, type RoutingInput } from './routing';

let nextId = 0;
function rep(fields: Partial<RoutableRep> & { name: string }): RoutableRep {
  nextId += 1;
  return {
    id: `rep-${nextId}`,
    specialties: [],
    territories: [],
    available: true,
    isDefault: false,
    openReferrals: 0,
    ...fields,
  };
}

const SOLAR_NEED = 'They want solar panels on the warehouse roof and a battery backup.';

describe(routeReferral.name, () => {
  describe('matching', () => {
    it('matches a state territory and a specialty', () => {
      const ann = rep({ name: 'Ann', territories: ['TX'], specialties: ['solar panels'] });
      const bob = rep({ name: 'Bob', territories: ['CA'], specialties: ['roofing'] });
      expect(routeReferral({ state: 'TX', need: SOLAR_NEED }, [bob, ann])).toEqual({
        repId: ann.id,
        reason: 'territory TX and specialty "solar panels"',
        matched: { territory: true, specialties: ['solar panels'] },
      });
    });

    it('matches a specialty alone', () => {
      const ann = rep({ name: 'Ann', territories: ['CA'], specialties: ['roofing'] });
      const bob = rep({ name: 'Bob', territories: ['NY'], specialties: ['plumbing'] });
      expect(
        routeReferral({ state: 'TX', need: 'Needs new roofing', product: null }, [ann, bob]),
      ).toEqual({
        repId: ann.id,
        reason: 'specialty "roofing"',
        matched: { territory: false, specialties: ['roofing'] },
      });
    });

    it('lists several matching specialties, each worth 5 points', () => {
      // Ann: two specialties, 10 points; Bob: a state territory, 10 points; the tie goes to Ann,
      // who has fewer open referrals.
      const ann = rep({
        name: 'Ann',
        specialties: ['solar panels', 'battery backup', 'roofing'],
        openReferrals: 1,
      });
      const bob = rep({ name: 'Bob', territories: ['TX'], openReferrals: 2 });
      expect(routeReferral({ state: 'TX', need: SOLAR_NEED }, [bob, ann])).toEqual({
        repId: ann.id,
        reason:
          'specialties "solar panels" and "battery backup"; fewest open referrals among 2 tied',
        matched: { territory: false, specialties: ['solar panels', 'battery backup'] },
      });
    });

    it('prefers territory + specialty over territory or specialty alone', () => {
      const both = rep({
        name: 'Zed',
        territories: ['tx'],
        specialties: ['solar'],
        openReferrals: 9,
      });
      const territory = rep({ name: 'Ann', territories: ['TX'] });
      const specialty = rep({ name: 'Bob', specialties: ['solar'] });
      expect(
        routeReferral({ state: 'tx', need: SOLAR_NEED }, [territory, specialty, both]).repId,
      ).toBe(both.id);
    });

    it('prefers a territory match (10) over one specialty (5)', () => {
      const territory = rep({ name: 'Zed', territories: ['TX'], openReferrals: 50 });
      const specialty = rep({ name: 'Ann', specialties: ['solar'] });
      expect(routeReferral({ state: 'TX', need: SOLAR_NEED }, [specialty, territory]).repId).toBe(
        territory.id,
      );
    });

    it('needs every significant word of a specialty', () => {
      const ann = rep({ name: 'Ann', specialties: ['solar water heaters'] });
      const bob = rep({ name: 'Bob', specialties: ['backup'] });
      expect(routeReferral({ need: SOLAR_NEED }, [ann, bob]).repId).toBe(bob.id);
    });

    it('ignores specialty words under 3 characters, and specialties made only of them', () => {
      const ann = rep({ name: 'Ann', specialties: ['AC', 'IT'] });
      const bob = rep({ name: 'Bob', specialties: ['AC repair'] });
      const decision = routeReferral({ need: 'the unit needs repair soon' }, [ann, bob]);
      expect(decision.repId).toBe(bob.id);
      expect(decision.matched.specialties).toEqual(['AC repair']);
    });

    it('matches simple plurals both ways', () => {
      const ann = rep({ name: 'Ann', specialties: ['solar panels'] });
      const bob = rep({ name: 'Bob', specialties: ['window'] });
      expect(routeReferral({ need: 'one solar panel' }, [bob, ann]).repId).toBe(ann.id);
      expect(routeReferral({ need: 'twelve windows' }, [ann, bob]).repId).toBe(bob.id);
    });

    it('matches words, not parts of words', () => {
      const ann = rep({ name: 'Ann', specialties: ['roof'] });
      const bob = rep({ name: 'Bob', isDefault: true });
      expect(routeReferral({ need: 'a new roofing contractor' }, [ann, bob]).repId).toBe(bob.id);
    });

    it('ignores case and punctuation in the need, the product and the specialties', () => {
      const ann = rep({ name: 'Ann', specialties: ['Solar-Panels'] });
      const bob = rep({ name: 'Bob', specialties: ['HVAC'] });
      expect(routeReferral({ need: 'Quote wanted.', product: 'SOLAR/PANELS' }, [bob, ann])).toEqual(
        {
          repId: ann.id,
          reason: 'specialty "Solar-Panels"',
          matched: { territory: false, specialties: ['Solar-Panels'] },
        },
      );
      expect(routeReferral({ need: 'Their hvac is broken!' }, [ann, bob]).repId).toBe(bob.id);
    });

    it('matches the product text as well as the need', () => {
      const ann = rep({ name: 'Ann', specialties: ['fleet tracking'] });
      const bob = rep({ name: 'Bob', isDefault: true });
      expect(
        routeReferral({ need: 'wants a call back', product: 'Fleet Tracking' }, [bob, ann]).repId,
      ).toBe(ann.id);
    });

    it('counts a specialty listed twice once', () => {
      const ann = rep({ name: 'Ann', specialties: ['Solar', 'solar '] });
      expect(routeReferral({ need: SOLAR_NEED }, [ann]).matched.specialties).toEqual(['Solar']);
    });
  });

  describe('ZIP prefixes', () => {
    it('prefers the longer matching ZIP prefix', () => {
      const wide = rep({ name: 'Ann', territories: ['7'] });
      const narrow = rep({ name: 'Zed', territories: ['787'], openReferrals: 20 });
      const state = rep({ name: 'Bob', territories: ['TX'] });
      expect(routeReferral({ state: 'TX', zip: '78701', need: '' }, [wide, state, narrow])).toEqual(
        {
          repId: narrow.id,
          reason: 'territory 787',
          matched: { territory: true, specialties: [] },
        },
      );
    });

    it('uses the first 5 digits of a ZIP+4', () => {
      const ann = rep({ name: 'Ann', territories: ['78701'] });
      const bob = rep({ name: 'Bob', territories: ['7870'] });
      expect(routeReferral({ zip: '78701-1234', need: '' }, [bob, ann]).repId).toBe(ann.id);
    });

    it('counts a territory once, with its longest ZIP prefix', () => {
      const ann = rep({ name: 'Ann', territories: ['TX', '78', '787'] });
      const bob = rep({ name: 'Bob', territories: ['7870'], specialties: ['solar'] });
      // Ann: 10 + 3 = 13; Bob: 10 + 4 + 5 = 19.
      expect(routeReferral({ state: 'TX', zip: '78701', need: SOLAR_NEED }, [ann, bob])).toEqual({
        repId: bob.id,
        reason: 'territory 7870 and specialty "solar"',
        matched: { territory: true, specialties: ['solar'] },
      });
    });

    it('a 5-digit ZIP prefix (15) ties with a state and a specialty (15)', () => {
      const zipRep = rep({ name: 'Ann', territories: ['78701'] });
      const stateRep = rep({ name: 'Bob', territories: ['TX'], specialties: ['roof'] });
      // Ann: 15; Bob: 10 + 5 = 15; tie → open referrals equal → name.
      expect(
        routeReferral({ state: 'TX', zip: '78701', need: 'the roof' }, [stateRep, zipRep]),
      ).toEqual({
        repId: zipRep.id,
        reason: 'territory 78701; first by name among 2 tied with the fewest open referrals',
        matched: { territory: true, specialties: [] },
      });
    });

    it('does not match a ZIP that does not start with the prefix, or a short ZIP', () => {
      const ann = rep({ name: 'Ann', territories: ['787'] });
      const bob = rep({ name: 'Bob', isDefault: true });
      expect(routeReferral({ zip: '77001', need: '' }, [ann, bob]).repId).toBe(bob.id);
      expect(routeReferral({ zip: '787', need: '' }, [ann, bob]).repId).toBe(bob.id);
    });

    it('ignores territories that are neither a state code nor 1–5 digits', () => {
      const ann = rep({ name: 'Ann', territories: ['Texas', '787012', ''] });
      const bob = rep({ name: 'Bob', isDefault: true });
      expect(routeReferral({ state: 'TX', zip: '78701', need: '' }, [ann, bob]).repId).toBe(bob.id);
    });
  });

  describe('ties', () => {
    it('go to the fewest open referrals', () => {
      const busy = rep({ name: 'Ann', territories: ['TX'], openReferrals: 5 });
      const free = rep({ name: 'Zed', territories: ['TX'], openReferrals: 2 });
      const other = rep({ name: 'Bob', territories: ['TX'], openReferrals: 3 });
      expect(routeReferral({ state: 'TX', need: '' }, [busy, free, other])).toEqual({
        repId: free.id,
        reason: 'territory TX; fewest open referrals among 3 tied',
        matched: { territory: true, specialties: [] },
      });
    });

    it('then by name', () => {
      const zed = rep({ name: 'Zed', territories: ['TX'], openReferrals: 1 });
      const ann = rep({ name: 'Ann', territories: ['TX'], openReferrals: 1 });
      const busy = rep({ name: 'Aaron', territories: ['TX'], openReferrals: 4 });
      const decision = routeReferral({ state: 'TX', need: '' }, [zed, busy, ann]);
      expect(decision.repId).toBe(ann.id);
      expect(decision.reason).toBe(
        'territory TX; first by name among 2 tied with the fewest open referrals',
      );
    });

    it('then by id', () => {
      const b = rep({ id: 'b', name: 'Ann', territories: ['TX'] });
      const a = rep({ id: 'a', name: 'Ann', territories: ['TX'] });
      const decision = routeReferral({ state: 'TX', need: '' }, [b, a]);
      expect(decision.repId).toBe('a');
      expect(decision.reason).toBe(
        'territory TX; first by id among 2 tied on open referrals and name',
      );
    });

    it('do not depend on the order of the reps', () => {
      const reps = [
        rep({ id: 'x', name: 'Ann', territories: ['TX'], openReferrals: 1 }),
        rep({ id: 'y', name: 'Ann', territories: ['TX'], openReferrals: 1 }),
        rep({ id: 'z', name: 'Bob', territories: ['TX'], openReferrals: 1 }),
      ];
      const input: RoutingInput = { state: 'TX', need: '' };
      expect(routeReferral(input, reps).repId).toBe('x');
      expect(routeReferral(input, [...reps].reverse()).repId).toBe('x');
    });
  });

  describe('availability and fallbacks', () => {
    it('skips an unavailable best rep and takes the next best', () => {
      const best = rep({
        name: 'Ann',
        territories: ['TX'],
        specialties: ['solar'],
        available: false,
      });
      const next = rep({ name: 'Bob', territories: ['TX'], openReferrals: 7 });
      const last = rep({ name: 'Cid', specialties: ['solar'] });
      expect(routeReferral({ state: 'TX', need: SOLAR_NEED }, [best, next, last])).toEqual({
        repId: next.id,
        reason: 'territory TX',
        matched: { territory: true, specialties: [] },
      });
    });

    it("falls back to the client's default rep when nobody matches", () => {
      const ann = rep({ name: 'Ann', territories: ['CA'] });
      const def = rep({ name: 'Dee', isDefault: true, openReferrals: 30 });
      const unavailableMatch = rep({ name: 'Eve', territories: ['TX'], available: false });
      expect(
        routeReferral({ state: 'TX', need: 'something' }, [ann, def, unavailableMatch]),
      ).toEqual({
        repId: def.id,
        reason: "no rep matches; the client's default rep",
        matched: { territory: false, specialties: [] },
      });
    });

    it('falls back to the least busy available rep when the default rep is unavailable', () => {
      const def = rep({ name: 'Dee', isDefault: true, available: false });
      const busy = rep({ name: 'Ann', openReferrals: 4 });
      const free = rep({ name: 'Bob', openReferrals: 1 });
      const off = rep({ name: 'Cid', openReferrals: 0, available: false });
      expect(routeReferral({ need: 'x' }, [def, busy, free, off])).toEqual({
        repId: free.id,
        reason:
          'no rep matches and the default rep is unavailable; the available rep with fewest open referrals',
        matched: { territory: false, specialties: [] },
      });
    });

    it('falls back to the least busy available rep, then by name, when there is no default rep', () => {
      const zed = rep({ name: 'Zed', openReferrals: 1 });
      const ann = rep({ name: 'Ann', openReferrals: 1 });
      expect(routeReferral({ need: 'x' }, [zed, ann])).toEqual({
        repId: ann.id,
        reason:
          'no rep matches and there is no default rep; the available rep with fewest open referrals',
        matched: { territory: false, specialties: [] },
      });
    });

    it('returns no rep when none is available', () => {
      const reps = [
        rep({ name: 'Ann', territories: ['TX'], available: false }),
        rep({ name: 'Dee', isDefault: true, available: false }),
      ];
      expect(routeReferral({ state: 'TX', need: '' }, reps)).toEqual({
        repId: null,
        reason: 'no rep is available',
        matched: { territory: false, specialties: [] },
      });
    });

    it('returns no rep when the client has none', () => {
      expect(routeReferral({ state: 'TX', need: SOLAR_NEED }, [])).toEqual({
        repId: null,
        reason: 'the client has no sales reps',
        matched: { territory: false, specialties: [] },
      });
    });
  });

  it('always returns an available rep, or null with a reason only when none is available', () => {
    const word = fc.constantFrom('solar', 'panels', 'roof', 'roofing', 'hvac', 'ac', 'windows');
    const repArb = fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      name: fc.constantFrom('Ann', 'Bob', 'Cid', ''),
      specialties: fc.array(
        fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
        { maxLength: 3 },
      ),
      territories: fc.array(
        fc.constantFrom('TX', 'tx', 'CA', '7', '78', '787', '78701', '9', 'x'),
        {
          maxLength: 3,
        },
      ),
      available: fc.boolean(),
      isDefault: fc.boolean(),
      openReferrals: fc.nat({ max: 5 }),
    });
    const inputArb = fc.record({
      state: fc.option(fc.constantFrom('TX', 'ca', 'NY', '', 'Texas')),
      zip: fc.option(fc.constantFrom('78701', '78701-1234', '90210', '787', '')),
      product: fc.option(word),
      need: fc.array(word, { maxLength: 6 }).map((w) => w.join(' ')),
    });
    fc.assert(
      fc.property(inputArb, fc.array(repArb, { maxLength: 6 }), (input, reps) => {
        const decision = routeReferral(input, reps);
        expect(decision.reason).not.toBe('');
        if (decision.repId === null) {
          expect(reps.some((r) => r.available)).toBe(false);
        } else {
          expect(reps.some((r) => r.available && r.id === decision.repId)).toBe(true);
        }
        // The same reps in another order give the same rep.
        expect(routeReferral(input, [...reps].reverse()).repId).toBe(decision.repId);
      }),
    );
  });
});
