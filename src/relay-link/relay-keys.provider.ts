import { Injectable } from '@nestjs/common';
import { createRelayKeyring, type RelayKeyring } from '../../contracts/node/relay-keys';
import { AppConfig } from '../config/app-config';

/**
 * The portal's relay keys, derived once at boot from RELAY_SECRET (and RELAY_SECRET_PREVIOUS during a
 * rotation, accepted for verification only): one keyring signs tokens, the other signs and verifies
 * the HTTP messages exchanged with the relay. The secret strings are not kept here.
 */
@Injectable()
export class RelayKeys {
  readonly tokens: RelayKeyring;
  readonly signing: RelayKeyring;

  constructor(config: AppConfig) {
    this.tokens = createRelayKeyring(config.relay.secret, config.relay.previousSecret, 'token');
    this.signing = createRelayKeyring(config.relay.secret, config.relay.previousSecret, 'signing');
  }
}
