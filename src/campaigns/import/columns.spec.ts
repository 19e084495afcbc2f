import { headerKey, mapHeader, type ContactField } from './columns';

describe(mapHeader.name, () => {
  /** The field of one header cell, in a header that has a phone column before it. */
  const fieldOf = (cell: string) => mapHeader(['Phone', cell]).fields[1];

  it.each([
    ['Phone Number', 'phone'],
    ['phone_number', 'phone'],
    [' TEL ', 'phone'],
    ['PhoneNumber', 'phone'],
    ['PHONE-NUMBER', 'phone'],
    ['Phone #', 'phone'],
    ['Phone No.', 'phone'],
    ['Telephone', 'phone'],
    ['Téléphone', 'phone'],
    ['Mobile', 'phone'],
    ['Cell', 'phone'],
    ['Direct', 'phone'],
    ['Work Phone', 'phone'],
    ['Business Phone', 'phone'],
    ['Phone 1', 'phone'],
  ] as const)('reads %j as the phone', (cell, field) => {
    expect(mapHeader([cell]).fields).toEqual([field]);
  });

  it.each<[string, ContactField]>([
    ['Alternate Phone', 'altPhone'],
    ['Alt Phone', 'altPhone'],
    ['alt_phone', 'altPhone'],
    ['Phone 2', 'altPhone'],
    ['Phone2', 'altPhone'],
    ['Second Phone', 'altPhone'],
    ['Other Phone', 'altPhone'],
    ['Business Phone 2', 'altPhone'],
    ['Company', 'company'],
    ['Organization', 'company'],
    ['Organisation', 'company'],
    ['Company Name', 'company'],
    ['Business', 'company'],
    ['Account', 'company'],
    ['Account Name', 'company'],
    ['Employer', 'company'],
    ['First Name', 'firstName'],
    ['first', 'firstName'],
    ['Given Name', 'firstName'],
    ['FName', 'firstName'],
    ['firstName', 'firstName'],
    ['Last Name', 'lastName'],
    ['Surname', 'lastName'],
    ['Family Name', 'lastName'],
    ['lname', 'lastName'],
    ['Name', 'fullName'],
    ['Full Name', 'fullName'],
    ['Contact', 'fullName'],
    ['Contact Name', 'fullName'],
    ['Title', 'title'],
    ['Job Title', 'title'],
    ['Position', 'title'],
    ['Role', 'title'],
    ['Email', 'email'],
    ['E-mail', 'email'],
    ['E-Mail Address', 'email'],
    ['Work Email', 'email'],
    ['Website', 'website'],
    ['Web', 'website'],
    ['URL', 'website'],
    ['Site', 'website'],
    ['Domain', 'website'],
    ['Homepage', 'website'],
    ['Web Page', 'website'],
    ['Street', 'street'],
    ['Address', 'street'],
    ['Address 1', 'street'],
    ['Address Line 1', 'street'],
    ['Street Address', 'street'],
    ['Mailing Street', 'street'],
    ['City', 'city'],
    ['Town', 'city'],
    ['State', 'state'],
    ['Province', 'state'],
    ['Region', 'state'],
    ['ST', 'state'],
    ['State/Province', 'state'],
    ['Zip', 'zip'],
    ['Zip Code', 'zip'],
    ['ZIPCode', 'zip'],
    ['Postal Code', 'zip'],
    ['Postcode', 'zip'],
    ['Zip+4', 'zip'],
    ['Country', 'country'],
    ['Country/Region', 'country'],
    ['Employees', 'employees'],
    ['Employee Count', 'employees'],
    ['Company Size', 'employees'],
    ['Headcount', 'employees'],
    ['Number of Employees', 'employees'],
    ['# of Employees', 'employees'],
    ['Industry', 'industry'],
    ['Sector', 'industry'],
    ['Vertical', 'industry'],
  ])('reads %j as %s', (cell, field) => {
    expect(fieldOf(cell)).toBe(field);
  });

  it('keeps unknown columns as custom fields named by their trimmed header', () => {
    expect(mapHeader(['Phone', '  Lead Source ', 'Fax', 'Notes']).fields).toEqual([
      'phone',
      { custom: 'Lead Source' },
      { custom: 'Fax' },
      { custom: 'Notes' },
    ]);
  });

  it('lets the first column of a field win and keeps later ones as custom fields', () => {
    expect(mapHeader(['Email', 'Phone', 'E-mail', 'Company', 'Organization']).fields).toEqual([
      'email',
      'phone',
      { custom: 'E-mail' },
      'company',
      { custom: 'Organization' },
    ]);
  });

  it('keeps numbered columns past the first as custom fields', () => {
    expect(mapHeader(['Phone', 'Email 1', 'Email 2', 'Address 1', 'Address 2']).fields).toEqual([
      'phone',
      'email',
      { custom: 'Email 2' },
      'street',
      { custom: 'Address 2' },
    ]);
  });

  it('makes later phone-like columns alternate phones, as many as there are', () => {
    expect(
      mapHeader(['Mobile', 'Phone', 'Alt Phone', 'Phone 3', 'Work Phone', 'Fax']).fields,
    ).toEqual(['phone', 'altPhone', 'altPhone', 'altPhone', 'altPhone', { custom: 'Fax' }]);
  });

  it("reads the phone headers of CRM and data vendors' exports", () => {
    expect(
      mapHeader([
        'Direct Phone Number',
        'Mobile Phone Number',
        'Corporate Phone',
        'Company HQ Phone',
        'Phone (Mobile)',
        'Phone - Work',
        'Cell Phone Number',
      ]).fields,
    ).toEqual(['phone', 'altPhone', 'altPhone', 'altPhone', 'altPhone', 'altPhone', 'altPhone']);
    // HubSpot with a mobile only: a list to call, not "no phone column".
    expect(mapHeader(['First Name', 'Mobile Phone Number']).hasPhone).toBe(true);
    // Not numbers to dial.
    expect(mapHeader(['Phone Type', 'Phone Ext', 'Fax Number']).hasPhone).toBe(false);
  });

  it('makes the first alternate phone the phone when there is no other phone column', () => {
    expect(mapHeader(['Name', 'Phone 2', 'Other Phone'])).toEqual({
      fields: ['fullName', 'phone', 'altPhone'],
      hasPhone: true,
    });
  });

  it('says when there is no phone column', () => {
    expect(mapHeader(['Name', 'Email', 'Fax'])).toEqual({
      fields: ['fullName', 'email', { custom: 'Fax' }],
      hasPhone: false,
    });
    expect(mapHeader([]).hasPhone).toBe(false);
  });

  it('names empty headers by position and keeps custom names unique', () => {
    expect(mapHeader(['Phone', '', 'Notes', 'notes ', 'Notes', '  ']).fields).toEqual([
      'phone',
      { custom: 'column 2' },
      { custom: 'Notes' },
      { custom: 'notes' },
      { custom: 'Notes (2)' },
      { custom: 'column 6' },
    ]);
  });

  it('maps an Outlook contacts export', () => {
    const header = [
      'First Name',
      'Last Name',
      'Company',
      'Job Title',
      'Business Street',
      'Business City',
      'Business State',
      'Business Postal Code',
      'Business Country/Region',
      'Business Phone',
      'Business Phone 2',
      'Mobile Phone',
      'Business Fax',
      'E-mail Address',
      'E-mail 2 Address',
      'Web Page',
    ];
    expect(mapHeader(header).fields).toEqual([
      'firstName',
      'lastName',
      'company',
      'title',
      'street',
      'city',
      'state',
      'zip',
      'country',
      'phone',
      'altPhone',
      'altPhone',
      { custom: 'Business Fax' },
      'email',
      { custom: 'E-mail 2 Address' },
      'website',
    ]);
  });
});

describe(headerKey.name, () => {
  it.each([
    [' Phone-Number # ', 'phonenumber'],
    ['E_Mail', 'email'],
    ['Código Postal', 'codigopostal'],
    ['ＰＨＯＮＥ', 'phone'],
  ])('%j → %j', (text, key) => {
    expect(headerKey(text)).toBe(key);
  });
});
