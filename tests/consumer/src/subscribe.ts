// Type-level checks of the live subscription API as an app writes against it. Each line marked
// with a ts-expect-error directive must stay an error: if the types get looser, tsc reports the
// directive as unused and fails.
import {
  subscribeCloudEvents,
  subscribeEventsHub,
  subscribeLxd,
  type CloudEvent,
  type HubEvent,
  type HubSubscription,
  type HubVmState,
  type LxdEvent,
  type SessionEvent,
  type SessionStats,
  type SubscribeEventsHubOptions,
} from "infra-events";

declare function render(vm: string, state: HubVmState): void;
declare function reloadOverRest(since: number): void;

async function hub(signal: AbortSignal): Promise<void> {
  const options: SubscribeEventsHubOptions = {
    url: "https://devops.example.com",
    channels: ["pdfm", "stats"],
    token: async () => "jwt",
    tokenParam: "access_token",
    session: { backoff: { baseMs: 250 }, maxAttempts: 10, idleTimeoutMs: 15_000, bufferCapacity: 1_000 },
    signal,
  };
  const sub: HubSubscription = subscribeEventsHub(options);

  // `on` narrows the event to the message's own type.
  const off: () => void = sub.on("VM_STATE_CHANGED", (e) => render(e.body.vm_id, e.body.current_state));
  off();
  sub.on("System Stats", (e) => {
    const id: string = e.id;
    void id;
  });
  // @ts-expect-error a VM_STATE_CHANGED body has no `host_id`
  sub.on("VM_STATE_CHANGED", (e) => e.body.host_id);
  // @ts-expect-error not a message the Events Hub sends
  sub.on("VM_EXPLODED", () => {});
  // @ts-expect-error the body of VM_REMOVED is not a state change
  sub.on("VM_REMOVED", (e) => render(e.body.vm_id, e.body.current_state));

  sub.onEvent((e: HubEvent) => {
    if ("unknown" in e) return;
    if (e.message === "VM_STATE_CHANGED") render(e.body.vm_id, e.body.current_state);
  });
  sub.onState((s: SessionEvent) => {
    switch (s.type) {
      case "resync":
        reloadOverRest(s.gapStartedAt);
        break;
      case "reconnecting":
        console.debug(s.attempt, s.delayMs, s.cause.kind);
        break;
      case "frameError":
        console.warn(s.error.kind);
        break;
      case "closed":
        console.info(s.why.kind);
        break;
    }
  });
  // @ts-expect-error state callbacks get SessionEvent, not events
  sub.onState((s: HubEvent) => s);

  const stats: SessionStats = sub.stats();
  const received: number = stats.received;
  void received;

  // The async iterator: `for await` over the same object.
  for await (const e of sub) {
    const narrowed: HubEvent = e;
    void narrowed;
    break; // calls return(), which closes the subscription
  }
  const r = await sub.next();
  if (!r.done) {
    const e: HubEvent = r.value;
    void e;
  }
  sub.close();
  const closed: boolean = sub.closed;
  void closed;
}

function badOptions(): void {
  // @ts-expect-error the token parameter is one of two names
  subscribeEventsHub({ url: "https://x", token: "t", tokenParam: "jwt" });
  // @ts-expect-error a token provider returns a string
  subscribeEventsHub({ url: "https://x", token: async () => 42 });
  // @ts-expect-error url is required
  subscribeEventsHub({ channels: ["pdfm"] });
  subscribeEventsHub({ url: "https://x", login: { username: "ops", password: "p" } });
  subscribeEventsHub({ url: "https://x", login: { email: "ops@example.com", password: "p" } });
  subscribeEventsHub({ url: "https://x", login: { apiKey: "a2V5OnNlY3JldA==" } });
  // @ts-expect-error a username login needs its password
  subscribeEventsHub({ url: "https://x", login: { username: "ops" } });
  // @ts-expect-error the API key is a string
  subscribeEventsHub({ url: "https://x", login: { apiKey: 42 } });
  // @ts-expect-error the refused-handshake limit is a number
  subscribeEventsHub({ url: "https://x", session: { maxRefusedHandshakes: "5" } });
}

async function lxd(): Promise<void> {
  const sub = subscribeLxd({ url: "https://lxd.example.com:8443", types: ["lifecycle", "operation"], project: "default" });
  sub.on("lifecycle", (e) => {
    const action: string = e.metadata.action;
    void action;
  });
  // @ts-expect-error LXD has no such event type
  sub.on("lifecycles", () => {});
  for await (const e of sub) {
    const typed: LxdEvent = e;
    void typed;
  }
}

function cloudEvents(): void {
  const sub = subscribeCloudEvents({ url: "wss://events.example.com/cloudevents", token: () => "jwt", tokenIn: "subprotocol" });
  sub.on("server.deleted", (e) => {
    const source: string = e.source;
    void source;
  });
  // @ts-expect-error not a MetalSoft type
  sub.on("server.exploded", () => {});
  sub.onEvent((e: CloudEvent) => void e);
  // @ts-expect-error tokenIn is "subprotocol" or "query"
  subscribeCloudEvents({ url: "wss://x", token: "t", tokenIn: "header" });
  subscribeCloudEvents({ url: "wss://x", token: "t", tokenProtocolPrefix: "bearer.example.com." });
}

export { hub, badOptions, lxd, cloudEvents };
