import fc from 'fast-check';
import { MIN_NEED_LENGTH, completenessProblems, type CompletenessProblem } from './completeness';
import type { ReferralContact } from './referral-types';

const NEED = 'Wants a quote for solar panels on a 40,000 sq ft warehouse roof before July.';
const CONTACT: ReferralContact = {
  name: 'Dana Reyes',
  title: 'Facilities Manager',
  company: 'Reyes Logistics',
  phone: '(212) 555-0123',
  email: 'dana@reyes-logistics.com',
  website: 'reyes-logistics.com',
};
const NO_WAY_TO_REACH: ReferralContact = { ...CONTACT, phone: null, email: null, website: null };
const NEEDS_REACH: CompletenessProblem = {
  field: 'contact',
  message: 'needs a valid phone, an email or a website',
};

const fieldsOf = (need: string, contact: ReferralContact) =>
  completenessProblems({ need, contact }).map((p) => p.field);

describe(completenessProblems.name, () => {
  it('finds nothing missing in a complete referral', () => {
    expect(completenessProblems({ need: NEED, contact: CONTACT })).toEqual([]);
  });

  it('lists every problem of an empty referral, in order', () => {
    expect(completenessProblems({ need: '', contact: {} })).toEqual([
      {
        field: 'need',
        message: 'describe the need in at least 40 characters so a stranger understands it (now 0)',
      },
      { field: 'contact.name', message: "give the contact's name" },
      { field: 'contact.title', message: "give the contact's job title" },
      { field: 'contact.company', message: "give the contact's company" },
      NEEDS_REACH,
    ]);
  });

  describe('need', () => {
    it.each<[string, string, number | null]>([
      ['exactly 40 characters', 'x'.repeat(40), null],
      ['39 characters', 'x'.repeat(39), 39],
      ['12 characters', 'Needs a roof', 12],
      ['40 characters inside blanks (trimmed)', `  \n${'x'.repeat(40)}\t `, null],
      ['whitespace only', ' \n\t  ', 0],
      [
        'runs of whitespace count as one space',
        `${'x'.repeat(19)}     \n\n  ${'y'.repeat(19)}`,
        39,
      ],
    ])('%s', (_label, need, now) => {
      const problems = completenessProblems({ need, contact: CONTACT });
      expect(problems).toEqual(
        now === null
          ? []
          : [
              {
                field: 'need',
                message: `describe the need in at least 40 characters so a stranger understands it (now ${now})`,
              },
            ],
      );
    });

    it('uses the minimum it is given', () => {
      expect(completenessProblems({ need: 'Needs a roof', contact: CONTACT }, 10)).toEqual([]);
      expect(completenessProblems({ need: NEED, contact: CONTACT }, 100)).toEqual([
        {
          field: 'need',
          message: `describe the need in at least 100 characters so a stranger understands it (now ${NEED.length})`,
        },
      ]);
    });

    it('defaults to MIN_NEED_LENGTH', () => {
      expect(MIN_NEED_LENGTH).toBe(40);
    });
  });

  describe.each(['name', 'title', 'company'] as const)('contact.%s', (key) => {
    it.each<[string, string | null | undefined]>([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
      ['whitespace only', ' \t\n '],
    ])('is a problem when %s', (_label, value) => {
      expect(fieldsOf(NEED, { ...CONTACT, [key]: value })).toEqual([`contact.${key}`]);
    });

    it('is fine when given', () => {
      expect(fieldsOf(NEED, { ...CONTACT, [key]: ' X ' })).toEqual([]);
    });
  });

  describe('a way to reach the contact', () => {
    it.each<[string, ReferralContact, CompletenessProblem[]]>([
      ['a valid US phone only', { ...NO_WAY_TO_REACH, phone: '212-555-0123' }, []],
      ['a valid phone with +country code', { ...NO_WAY_TO_REACH, phone: '+44 20 7946 0958' }, []],
      ['a plausible email only', { ...NO_WAY_TO_REACH, email: 'dana@reyes.co' }, []],
      ['a website without scheme only', { ...NO_WAY_TO_REACH, website: 'www.reyes.com' }, []],
      ['a website with scheme only', { ...NO_WAY_TO_REACH, website: 'http://reyes.com/about' }, []],
      [
        'an invalid phone with a valid email',
        { ...NO_WAY_TO_REACH, phone: '555-0123', email: 'dana@reyes.com' },
        [],
      ],
      [
        'an invalid phone with a website',
        { ...NO_WAY_TO_REACH, phone: '123', website: 'reyes.com' },
        [],
      ],
      ['nothing at all', NO_WAY_TO_REACH, [NEEDS_REACH]],
      [
        'only blanks',
        { ...NO_WAY_TO_REACH, phone: '  ', email: '\t', website: ' ' },
        [NEEDS_REACH],
      ],
      [
        'an invalid phone only',
        { ...NO_WAY_TO_REACH, phone: '555-0123' },
        [
          {
            field: 'contact.phone',
            message:
              'the phone number "555-0123" is not valid; give a valid phone, an email or a website',
          },
        ],
      ],
      [
        'a phone that is not a number, with a bad email',
        { ...NO_WAY_TO_REACH, phone: 'call reception', email: 'dana at reyes' },
        [
          {
            field: 'contact.phone',
            message:
              'the phone number "call reception" is not valid; give a valid phone, an email or a website',
          },
        ],
      ],
      [
        'an email without a top-level domain',
        { ...NO_WAY_TO_REACH, email: 'dana@reyes' },
        [NEEDS_REACH],
      ],
      ['an email without @', { ...NO_WAY_TO_REACH, email: 'reyes.com' }, [NEEDS_REACH]],
      ['an email with spaces', { ...NO_WAY_TO_REACH, email: 'dana r@reyes.com' }, [NEEDS_REACH]],
      ['a website without a dot', { ...NO_WAY_TO_REACH, website: 'localhost' }, [NEEDS_REACH]],
      [
        'a website with spaces',
        { ...NO_WAY_TO_REACH, website: 'reyes logistics.com' },
        [NEEDS_REACH],
      ],
      [
        'a website that is not http',
        { ...NO_WAY_TO_REACH, website: 'ftp://reyes.com' },
        [NEEDS_REACH],
      ],
    ])('%s', (_label, contact, expected) => {
      expect(completenessProblems({ need: NEED, contact })).toEqual(expected);
    });
  });

  it('never throws and always names a field and a message', () => {
    const text = fc.option(fc.string({ maxLength: 60 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.string({ maxLength: 100 }),
        fc.record({
          name: text,
          title: text,
          phone: text,
          email: text,
          website: text,
          company: text,
        }),
        (need, contact) => {
          const problems = completenessProblems({ need, contact });
          return problems.every((p) => p.field !== '' && p.message !== '');
        },
      ),
    );
  });
});
