import { expect } from '@open-wc/testing';
import { configure, currentConfig, getConnection } from '../../src/core/index.js';

describe('page defaults', () => {
  it('reads data-relay, data-token and data-worker from the script tag, and configure() overrides them', () => {
    const tag = document.createElement('script');
    tag.type = 'text/plain'; // never runs: only its data attributes matter
    tag.dataset.relay = 'https://relay.example.test/';
    tag.dataset.token = 'tag-token';
    tag.dataset.worker = 'false';
    document.head.append(tag);
    try {
      expect(currentConfig()).to.deep.include({ relay: 'https://relay.example.test/', token: 'tag-token', worker: false });
      configure({ token: 'configured-token' });
      expect(currentConfig().token).to.equal('configured-token');
      const a = getConnection();
      expect(a.relay).to.equal('https://relay.example.test');
      expect(a.options.token).to.equal('configured-token');
      expect(getConnection(), 'one connection per relay and token').to.equal(a);
      expect(getConnection({ token: 'other' })).to.not.equal(a);
    } finally {
      tag.remove();
      configure({ token: undefined });
    }
  });

  it('says how to configure a relay when none is set', () => {
    expect(() => getConnection()).to.throw(/live-source relay=.*data-relay.*configure/);
  });

  it('refuses a bad selector with a message naming it', () => {
    const conn = getConnection({ relay: 'http://127.0.0.1:9' });
    expect(() => conn.subscribe('Bad Topic!', () => {})).to.throw(/Bad Topic!/);
  });
});
