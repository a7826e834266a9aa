/** The strings of /me and its authenticators in English: every key of me.ja.ts. */
import type { Translation } from '../i18n/catalogue.ts';
import type { authnJa, meJa } from './me.ja.ts';

export const meEn: Translation<typeof meJa> = {
  title: 'My account',
  signedInAs: 'Signed in as',
  sessionsHeading: 'Where you are logged in',
  sessionsLead: 'End any session you do not recognise. An ended session stops working at once.',
  thisSession: 'This session',
  ip: 'IP address',
  loggedIn: 'Logged in',
  lastSeen: 'Last used',
  methods: 'Verified with',
  endSession: 'End',
  endOthers: 'End all other sessions',
  phoneHeading: 'Phone number (SMS)',
  phoneNone: 'Not registered',
  changePhone: 'Change phone number',
  sessionEnded: 'The session was ended.',
  sessionsEnded: 'All other sessions were ended.',
  phoneChanged: 'Your phone number was changed.',
  noSuchSession: 'That session was not found. It may have ended already.',
  currentSession: 'This session cannot be ended here. Please log out instead.',
  phoneTitle: 'Change phone number',
  phoneLeadSms:
    'Enter the new phone number and your current password. To confirm, a one-time password will be sent to the phone number registered now.',
  phoneLeadRecentProof:
    'Enter the new phone number and your current password. You confirmed your identity in the last 10 minutes, so no confirmation code is sent.',
  phoneNeedsAdminNoPhone:
    'No phone number is registered for you, so one cannot be added here. Please contact the help desk, which will register it after checking your identity.',
  phoneNeedsAdminNoSms:
    'SMS confirmation is not available right now, so the number cannot be changed here. Please contact the help desk.',
  currentPhone: 'Current phone number',
  newPhone: 'New phone number',
  newPhoneHint: 'e.g. 090-1234-5678 or +819012345678',
  phoneSubmit: 'Next',
  wrongPassword: 'The password is incorrect, or the account is locked.',
  invalidPhone: 'The phone number is not valid.',
  samePhone: 'That is already your phone number.',
  phoneNotAllowed: 'The phone number cannot be changed here. Please contact the help desk.',
  phoneCodeTitle: 'Confirm the new phone number',
  phoneCodeLead:
    'To confirm the change, a one-time password notification message was sent to the phone number registered now:',
  phoneStartOver: 'The phone number could not be changed. Please start over.',
  credentialEnrolled: 'The authenticator was added.',
  credentialRemoved: 'The authenticator was removed.',
  credentialRenamed: 'The authenticator was renamed.',
  noSuchCredential: 'That authenticator was not found. It may already have been removed.',
  pushEnrolTitle: 'Register a phone',
  pushEnrolLead:
    'Scan this QR code with the camera of the phone you want to approve sign-ins with. Finish on the page that opens, and the phone is added to your authenticators.',
  pushEnrolQrLabel: 'QR code to register a phone',
  pushEnrolExpires: 'This QR code and link work once, until {time}.',
  pushEnrolOpenHere: 'Reading this on your phone? Tap here',
  pushEnrolLink: 'Registration link (open it on your phone)',
  pushEnrolWarning:
    'This QR code and link register a device to your account: do not show or send them to anyone.',
  backToMe: 'Back to my account',
  logout: 'Log out',
};

export const authnEn: Translation<typeof authnJa> = {
  heading: 'My authenticators',
  lead: 'The ways you prove it is you when you log in. Adding or removing one needs a recent proof (within 10 minutes).',
  added: 'Added',
  lastUsed: 'Last used',
  never: 'never',
  none: 'None registered',
  add: 'Add',
  pushAdd: 'Add a phone for push sign-in',
  remove: 'Remove',
  rename: 'Rename',
  newName: 'New name',
  recoveryHeading: 'Recovery codes',
  recoveryLeft: 'Unused recovery codes: {count}',
  recoveryGenerate: 'Make new recovery codes',
  codesTitle: 'Your new recovery codes',
  codesLead:
    'Print or write down these 10 recovery codes and keep them somewhere safe. They will not be shown again once you leave this page. Your earlier recovery codes no longer work.',
  done: 'Back to my account',
  stepUpTitle: 'Confirm it is you',
  stepUp: 'To change your authenticators, please confirm it is you again.',
  stepUpButton: 'Confirm',
  needsActivation:
    'Your first authenticator can only be added from a registration link the help desk issues. Please contact the help desk.',
  activationInvalid:
    'This registration link is invalid, has expired or has already been used. Please contact the help desk.',
  activationTitle: 'Add an authenticator',
  activationLead:
    'This registration link was issued by the help desk. Choose the authenticator to add. The link works once.',
};
