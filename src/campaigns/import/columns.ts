/** The contact fields a list column can fill; every other column is kept as a custom field. */
export type ContactField =
  | 'company'
  | 'firstName'
  | 'lastName'
  | 'fullName'
  | 'title'
  | 'phone'
  | 'altPhone'
  | 'email'
  | 'website'
  | 'street'
  | 'city'
  | 'state'
  | 'zip'
  | 'country'
  | 'employees'
  | 'industry';

export interface ColumnMap {
  fields: (ContactField | { custom: string })[];
  hasPhone: boolean;
}

/**
 * Header names per field, written as `headerKey` leaves them (lower-case letters and digits only),
 * so `Phone Number`, `phone_number`, `PhoneNumber` and ` PHONE-NUMBER ` are all `phonenumber`.
 */
const SYNONYMS: Record<ContactField, string[]> = {
  phone: [
    'phone',
    'phonenumber',
    'phoneno',
    'phonenum',
    'telephone',
    'telephonenumber',
    'telephoneno',
    'tel',
    'telno',
    'telnumber',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'mobileno',
    'cell',
    'cellphone',
    'cellnumber',
    'cellular',
    'direct',
    'directphone',
    'directline',
    'directdial',
    'directnumber',
    'contactnumber',
  ],
  altPhone: [
    'alternatephone',
    'alternatephonenumber',
    'alternatenumber',
    'alternativephone',
    'alternativenumber',
    'altphone',
    'altphonenumber',
    'altnumber',
    'secondphone',
    'secondaryphone',
    'secondarynumber',
    'otherphone',
    'othernumber',
    'additionalphone',
    'backupphone',
  ],
  company: [
    'company',
    'companyname',
    'organization',
    'organisation',
    'organizationname',
    'organisationname',
    'org',
    'business',
    'businessname',
    'account',
    'accountname',
    'employer',
    'firm',
  ],
  firstName: ['firstname', 'first', 'givenname', 'fname', 'forename'],
  lastName: ['lastname', 'last', 'surname', 'familyname', 'lname'],
  fullName: ['name', 'fullname', 'contact', 'contactname', 'contactperson'],
  title: ['title', 'jobtitle', 'position', 'role', 'jobrole', 'designation'],
  email: ['email', 'emailaddress', 'mail', 'emailid'],
  website: [
    'website',
    'websiteurl',
    'web',
    'webaddress',
    'webpage',
    'url',
    'site',
    'domain',
    'homepage',
    'www',
  ],
  street: [
    'street',
    'streetaddress',
    'address',
    'addressline',
    'addressline1',
    'address1',
    'street1',
  ],
  city: ['city', 'town', 'locality'],
  state: [
    'state',
    'statecode',
    'province',
    'region',
    'st',
    'stateprovince',
    'stateorprovince',
    'stateregion',
    'provincestate',
  ],
  zip: [
    'zip',
    'zipcode',
    'zip4',
    'postalcode',
    'postcode',
    'postal',
    'zippostal',
    'zippostalcode',
    'postalzip',
  ],
  country: ['country', 'countrycode', 'countryname', 'countryregion', 'nation'],
  employees: [
    'employees',
    'employeecount',
    'companysize',
    'headcount',
    'numberofemployees',
    'noofemployees',
    'numofemployees',
    'ofemployees',
    'numemployees',
    'employeesize',
    'employeerange',
    'totalemployees',
    'staff',
    'staffcount',
  ],
  industry: ['industry', 'sector', 'vertical', 'industrytype'],
};

const BY_KEY = new Map<string, ContactField>(
  (Object.entries(SYNONYMS) as [ContactField, string[]][]).flatMap(([field, keys]) =>
    keys.map((key) => [key, field] as const),
  ),
);

/** Words that often lead a header without changing its meaning: `Work Phone`, `Contact Email`, `Mailing City`. */
const PREFIXES = [
  'contact',
  'company',
  'business',
  'work',
  'office',
  'home',
  'personal',
  'primary',
  'main',
  'mailing',
  'billing',
  'shipping',
  'physical',
  'corporate',
  'companyhq',
  'hq',
  'headquarters',
];

/** Qualifiers written after the word: `Phone (Mobile)`, `Phone - Work` (exports of CRMs). */
const PHONE_QUALIFIERS = new Set([
  'mobile',
  'cell',
  'work',
  'office',
  'direct',
  'home',
  'main',
  'business',
  'company',
  'corporate',
  'personal',
]);

/** Fields a contact has several of; every other field takes its first column only. */
const MULTI_VALUED = new Set<ContactField>(['altPhone']);

/** `' Phone-Number #'` → `'phonenumber'`: lower-case ASCII letters and digits, accents dropped. */
export function headerKey(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/**
 * The field a header names, if any: an exact synonym, else a synonym behind a numbered suffix
 * (`Phone 2` is an alternate phone, `Address 1` the street, `Email 2` a second email, which no field
 * takes), each also after a leading qualifier (`Work Phone`, `Contact Email 2`).
 */
function fieldOf(key: string): { field: ContactField; rank: number } | undefined {
  const direct = withSuffix(key);
  if (direct) return direct;
  if (key.startsWith('phone') && PHONE_QUALIFIERS.has(key.slice(5)))
    return { field: 'phone', rank: 1 };
  // `Mobile Phone Number`, `Direct Phone No`: the number is the phone.
  const bare = /^(.+phone)(?:number|no|num)$/.exec(key)?.[1];
  if (bare) return fieldOf(bare);
  for (const prefix of PREFIXES) {
    if (key.length > prefix.length && key.startsWith(prefix)) {
      const found = withSuffix(key.slice(prefix.length));
      if (found) return found;
    }
  }
  return undefined;
}

function withSuffix(key: string): { field: ContactField; rank: number } | undefined {
  const exact = BY_KEY.get(key);
  if (exact) return { field: exact, rank: 1 };
  const numbered = /^([a-z]+?)(\d{1,2})$/.exec(key);
  if (!numbered) return undefined;
  const field = BY_KEY.get(numbered[1]);
  return field ? { field, rank: Number(numbered[2]) } : undefined;
}

/**
 * Maps each header cell to a contact field or to a custom field name. Case-, spacing- and
 * punctuation-insensitive (`Phone Number`, `phone_number`, ` TEL ` are all the phone), with common
 * synonyms (see SYNONYMS).
 *
 * - The first phone-like column (`Phone`, `Mobile`, `Work Phone`, …) is the phone; later ones are
 *   alternate phones, as are `Alt Phone`, `Phone 2`, `Other Phone`, … (a second phone column is a
 *   number worth keeping). A header with alternate phones only makes the first of them the phone.
 * - Any other field takes its first column; a later column for the same field, or a numbered one
 *   past the first (`Email 2`, `Address 2`), is a custom field.
 * - Unknown headers are custom fields named by the header text, trimmed; an empty header is named
 *   `column N` (1-based), and a name already taken gets ` (2)`, ` (3)`, … appended.
 */
export function mapHeader(header: string[]): ColumnMap {
  const taken = new Set<ContactField>();
  const customNames = new Set<string>();
  const custom = (text: string, index: number): { custom: string } => {
    const base = text.trim() || `column ${index + 1}`;
    let name = base;
    for (let n = 2; customNames.has(name); n++) name = `${base} (${n})`;
    customNames.add(name);
    return { custom: name };
  };

  const fields = header.map((text, index): ContactField | { custom: string } => {
    const found = fieldOf(headerKey(text));
    if (!found) return custom(text, index);
    const { field, rank } = found;
    if (field === 'phone' || field === 'altPhone') {
      if (field === 'phone' && rank === 1 && !taken.has('phone')) {
        taken.add('phone');
        return 'phone';
      }
      return 'altPhone';
    }
    if (rank > 1 || (taken.has(field) && !MULTI_VALUED.has(field))) return custom(text, index);
    taken.add(field);
    return field;
  });

  if (!taken.has('phone')) {
    const firstAlt = fields.indexOf('altPhone');
    if (firstAlt !== -1) fields[firstAlt] = 'phone';
  }
  return { fields, hasPhone: fields.includes('phone') };
}
