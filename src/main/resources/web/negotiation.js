/**
 * Perfect negotiation for one RTCPeerConnection, after the webrtc/samples pattern: either
 * side may add or replace tracks at any time; when both offer at once, the polite peer
 * rolls back and answers, the impolite one ignores the other's offer.
 *
 * Three booleans of state: makingOffer, ignoreOffer, isSettingRemoteAnswerPending.
 */

/**
 * @typedef {{description?: {type: RTCSdpType, sdp?: string}, candidate?: RTCIceCandidateInit}} SignalPayload
 */

export class Negotiation {
  makingOffer = false;
  ignoreOffer = false;
  isSettingRemoteAnswerPending = false;

  #pc;
  #polite;
  #send;
  #beforeAnswer;
  /** @type {RTCIceCandidateInit[]} candidates that came before any remote description */
  #early = [];

  /**
   * @param {RTCPeerConnection} pc
   * @param {boolean} polite whether this side yields when both offer at once
   * @param {(payload: SignalPayload) => void} send delivers a description or candidate to the other side
   * @param {() => void} beforeAnswer called when an offer is set and before the answer is made: what
   *     it puts on the transceivers goes into the answer without another round
   */
  constructor(pc, polite, send, beforeAnswer) {
    this.#pc = pc;
    this.#polite = polite;
    this.#send = send;
    this.#beforeAnswer = beforeAnswer;

    pc.addEventListener('negotiationneeded', async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        const d = pc.localDescription;
        if (d) this.#send({ description: { type: d.type, sdp: d.sdp } });
      } catch (e) {
        console.error('negotiation failed', e);
      } finally {
        this.makingOffer = false;
      }
    });

    pc.addEventListener('icecandidate', ({ candidate }) => {
      // null: this gathering is complete; the other side needs no message for it.
      if (!candidate) return;
      /** @type {RTCIceCandidateInit} */
      const c = { candidate: candidate.candidate };
      if (candidate.sdpMid !== null) c.sdpMid = candidate.sdpMid;
      if (candidate.sdpMLineIndex !== null) c.sdpMLineIndex = candidate.sdpMLineIndex;
      if (candidate.usernameFragment) c.usernameFragment = candidate.usernameFragment;
      this.#send({ candidate: c });
    });
  }

  async #addEarlyCandidates() {
    const early = this.#early;
    this.#early = [];
    for (const c of early) {
      try {
        await this.#pc.addIceCandidate(c);
      } catch (e) {
        console.warn('an early ICE candidate was refused', e);
      }
    }
  }

  get polite() {
    return this.#polite;
  }

  /**
   * Handles a description or candidate from the other side.
   * @param {SignalPayload} payload
   */
  async receive({ description, candidate }) {
    const pc = this.#pc;
    try {
      if (description) {
        const readyForOffer =
          !this.makingOffer && (pc.signalingState === 'stable' || this.isSettingRemoteAnswerPending);
        const offerCollision = description.type === 'offer' && !readyForOffer;
        this.ignoreOffer = !this.#polite && offerCollision;
        if (this.ignoreOffer) return;
        this.isSettingRemoteAnswerPending = description.type === 'answer';
        await pc.setRemoteDescription(description);
        this.isSettingRemoteAnswerPending = false;
        if (description.type === 'offer') {
          this.#beforeAnswer();
          await pc.setLocalDescription();
          const d = pc.localDescription;
          if (d) this.#send({ description: { type: d.type, sdp: d.sdp } });
        }
        await this.#addEarlyCandidates();
      } else if (candidate) {
        // Tried even after we ignored the other side's offer: it may belong to the answer it sends next.
        if (!pc.remoteDescription) {
          // Its description is still being applied (or overtaken): add it once that is done.
          this.#early.push(candidate);
          return;
        }
        try {
          await pc.addIceCandidate(candidate);
        } catch (e) {
          // A candidate of the offer we ignored does not fit what we have: it is not needed.
          if (!this.ignoreOffer) throw e;
        }
      }
    } catch (e) {
      if (pc.signalingState !== 'closed') console.error('signal failed', e);
    }
  }
}
