// Type-level checks of the MWS client and polling subscription as an app writes against them.
// Each line marked with a ts-expect-error directive must stay an error: if the types get looser,
// tsc reports the directive as unused and fails.
import {
  MwsClient,
  isMwsError,
  subscribeMws,
  type MwsEvent,
  type MwsEventList,
  type MwsFilter,
  type MwsListQuery,
  type MwsPollEvent,
  type MwsSubscription,
  type MwsSubscriptionStats,
  type NewMwsEvent,
  type SubscribeMwsOptions,
} from "infra-events";

declare function show(id: string, date: string, severity: string): void;

async function client(signal: AbortSignal): Promise<void> {
  const mws = new MwsClient({ url: "https://moab.example.com:8080/mws", user: "admin", password: "secret" });
  const base: string = mws.baseUrl;
  void base;

  const since = new Date(Date.UTC(2025, 0, 27, 12, 0, 0));
  const filter: MwsFilter = {
    severity: { $in: ["ERROR", "FATAL"] },
    eventDate: { $gte: since, $lt: "2025-01-28 00:00:00 UTC" },
    "associatedObjects.id": { $ne: "vm1" },
    code: 33554946,
    "tenant.id": "t1",
  };
  const query: MwsListQuery = { filter, sort: { eventDate: -1, id: 1 }, max: 50, offset: 100 };
  const page: MwsEventList = await mws.list(query, { signal });
  const counts: [number, number] = [page.totalCount, page.resultCount];
  void counts;
  for (const e of page.results) show(e.id, e.eventDate, e.severity);
  await mws.list();

  for await (const p of mws.pages({ filter: { origin: "CSA Plugin" }, max: 100 }, { signal })) {
    const n: number = p.resultCount;
    void n;
  }

  const one: MwsEvent = await mws.get("65b4f5a8c8e7a1b2c3d4e5f6", { signal });
  const message: string | null = one.message;
  void message;

  const event: NewMwsEvent = {
    eventType: "VM Provision",
    origin: "CSA Plugin",
    severity: "INFO",
    eventDate: new Date(),
    associatedObjects: [{ type: "VM", id: "vm1" }],
    arguments: ["vm1"],
  };
  const created: MwsEvent = await mws.create(event);
  void created.id;

  try {
    await mws.list({ filter: { origin: "x" } });
  } catch (err) {
    if (isMwsError(err)) {
      const messages: string[] = err.messages;
      void messages;
      if (err.kind === "unauthorized") {
        const status: 401 = err.status;
        void status;
      } else if (err.kind === "invalidEvent") {
        const field: string = err.field;
        void field;
      } else if (err.kind === "transport") {
        // @ts-expect-error a transport failure has no status
        const status: number = err.status;
        void status;
      }
    }
  }

  // @ts-expect-error `url` is required
  new MwsClient({ user: "admin", password: "secret" });
  // @ts-expect-error $in takes a list
  await mws.list({ filter: { severity: { $in: "ERROR" } } });
  // @ts-expect-error not an operator this client sends
  await mws.list({ filter: { severity: { $regex: "E" } } });
  // @ts-expect-error eventDate compares with a Date or a date string
  await mws.list({ filter: { eventDate: { $gt: 1737979680000 } } });
  // @ts-expect-error a sort order is 1 or -1
  await mws.list({ sort: { eventDate: "desc" } });
  // @ts-expect-error max is a number
  await mws.list({ max: "10" });
  // @ts-expect-error severity is one of MWS's four when creating
  await mws.create({ eventType: "X", origin: "Y", severity: "LOUD" });
  // @ts-expect-error origin is required when creating
  await mws.create({ eventType: "X", severity: "INFO" });
  // @ts-expect-error get resolves to one event, not a list
  const wrong: MwsEventList = await mws.get("id");
  void wrong;
}

async function subscription(signal: AbortSignal): Promise<void> {
  const options: SubscribeMwsOptions = {
    url: "/hpc",
    filter: { severity: { $ne: "INFO" } },
    start: "latest",
    pollIntervalMs: 2_000,
    pageSize: 200,
    lookbackSecs: 5,
    backoff: { baseMs: 500, maxMs: 30_000 },
    requestTimeoutMs: 10_000,
    bufferCapacity: 1_000,
    signal,
  };
  const sub: MwsSubscription = subscribeMws(options);
  subscribeMws({ url: "https://moab.example.com", user: "u", password: "p", start: new Date() });

  // `on` narrows `eventType` to the type asked for.
  const off: () => void = sub.on("VM Provision", (e) => {
    const t: "VM Provision" = e.eventType;
    show(e.id, e.eventDate, e.severity);
    void t;
  });
  off();
  // @ts-expect-error the callback gets the event type asked for, not another
  sub.on("VM Provision", (e) => { const t: "Node Down" = e.eventType; void t; });

  sub.onEvent((e: MwsEvent) => show(e.id, e.eventDate, e.severity));
  sub.onState((s: MwsPollEvent) => {
    switch (s.type) {
      case "connecting":
        break;
      case "polling":
        console.debug(s.watermark);
        break;
      case "backingOff":
        console.debug(s.attempt, s.delayMs, s.error.kind, s.error.status, s.error.messages);
        break;
      case "closed":
        if (s.why.kind === "failed") console.error(s.why.error.message);
        break;
      default: {
        const exhaustive: never = s;
        void exhaustive;
      }
    }
  });
  const stats: MwsSubscriptionStats = sub.stats();
  const counters: number[] = [stats.received, stats.delivered, stats.buffered, stats.failures];
  const paused: boolean = stats.paused;
  void counters;
  void paused;
  for await (const e of sub) {
    show(e.id, e.eventDate, e.severity);
    break;
  }
  sub.pollNow();
  sub.close();
  const ended: boolean = sub.closed;
  void ended;

  // @ts-expect-error start is "latest", "beginning" or a date, not a number
  subscribeMws({ url: "/hpc", start: 1737979680000 });
  // @ts-expect-error pollIntervalMs is a number
  subscribeMws({ url: "/hpc", pollIntervalMs: "5s" });
  // @ts-expect-error not a state this subscription reports
  sub.onState((s) => s.type === "reconnecting");
  // @ts-expect-error nothing is dropped: polling pauses instead
  sub.onState((s) => s.type === "overflow");
}

void client;
void subscription;
