import { InitialSchema1763700000000 } from './1763700000000-InitialSchema';
import { QuickSupport1763710000000 } from './1763710000000-QuickSupport';
import { RemoteSessions1763720000000 } from './1763720000000-RemoteSessions';
import { RelayEvents1763730000000 } from './1763730000000-RelayEvents';
import { AuditOutbox1763740000000 } from './1763740000000-AuditOutbox';
import { DeviceGrants1763750000000 } from './1763750000000-DeviceGrants';
import { AuditReadIndexes1763760000000 } from './1763760000000-AuditReadIndexes';
import { AuditorRole1763765000000 } from './1763765000000-AuditorRole';
import { DeviceConsentPolicy1763768000000 } from './1763768000000-DeviceConsentPolicy';
import { ChannelStates1763770000000 } from './1763770000000-ChannelStates';
import { SupportChatMessages1763780000000 } from './1763780000000-SupportChatMessages';
import { RemoteSessionHistoryIndexes1763785000000 } from './1763785000000-RemoteSessionHistoryIndexes';
import { Recordings1763800000000 } from './1763800000000-Recordings';

/** Every migration, in order. Append new ones at the end. */
export const MIGRATIONS = [
  InitialSchema1763700000000,
  QuickSupport1763710000000,
  RemoteSessions1763720000000,
  RelayEvents1763730000000,
  AuditOutbox1763740000000,
  DeviceGrants1763750000000,
  AuditReadIndexes1763760000000,
  AuditorRole1763765000000,
  DeviceConsentPolicy1763768000000,
  ChannelStates1763770000000,
  SupportChatMessages1763780000000,
  RemoteSessionHistoryIndexes1763785000000,
  Recordings1763800000000,
];
