use std::process::ExitCode;
use std::time::Duration;

use sim::control::{BurstSpec, FaultKind};

const USAGE: &str = "usage: sim [options]
  --port N                 port on 127.0.0.1 (0 picks a free one; default 8787)
  --www DIR                demo page to serve at / (default: www)
  --pkg DIR                built npm package to serve at /pkg/ (default: pkg)
  --rate N                 trickle events per second on each event socket (default 3; 0: none)
  --seed N                 replay seed: the same scenario sends the same frames (virtual clock)
  --token-lifetime SECS    lifetime of issued tokens (default 900)
  --hub-token-subprotocol  let the Events Hub take a token subprotocol (the real one never does)
  --reject-tokens          start with every token rejected (401)
  --refuse-for SECS        refuse connections for the first SECS seconds
  --drop-every SECS        drop every event socket every SECS seconds
  --silent-after SECS      each event socket goes silent (half-open) SECS seconds after it opens
  --fault KIND[,KIND..]    inject faults into every event socket: malformed, truncated,
                           truncated-frame, binary, oversized, duplicate, out-of-order
  --fault-every N          one fault every N trickle events (default 5)
  --burst SPEC             every new event socket bursts: rate=N,secs=T,mix=a+b,source=hub|lxd|cloudevents
  --mws-history N          MWS events present at start (default 40)
  --bench-burst            measure the burst throughput to one loopback client, print it, exit
  --bench-secs SECS        length of that measurement (default 3)
Control API on the same origin: POST /_sim/{drop,refuse,silence,fault,burst,tokens/reject,
tokens/expire,seed,reset}, GET /_sim/status (see sim/README.md).";

struct Args {
    port: u16,
    config: sim::Config,
    bench: Option<f64>,
}

fn secs(flag: &str, v: &str) -> Result<Duration, String> {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(Duration::from_secs_f64(x)),
        _ => Err(format!("{flag}: expected seconds, got {v:?}")),
    }
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut port = 8787;
    let mut config = sim::Config::new("www", "pkg");
    let mut bench = None;
    let mut bench_secs = 3.0;
    let mut fault_every = 5;
    let mut args = args;
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                port = v.parse().map_err(|_| format!("--port: not a port number: {v}"))?;
            }
            "--www" => config.www_dir = value()?.into(),
            "--pkg" => config.pkg_dir = value()?.into(),
            "--rate" => {
                let v = value()?;
                config.rate = match v.parse::<f64>() {
                    Ok(r) if r.is_finite() && r >= 0.0 => r,
                    _ => return Err(format!("--rate: expected events per second, got {v:?}")),
                };
            }
            "--seed" => {
                let v = value()?;
                config.seed = Some(
                    v.parse()
                        .map_err(|_| format!("--seed: expected an unsigned integer, got {v:?}"))?,
                );
            }
            "--token-lifetime" => config.token_lifetime = secs(&flag, &value()?)?,
            "--hub-token-subprotocol" => config.hub_token_subprotocol = true,
            "--reject-tokens" => config.reject_tokens = true,
            "--refuse-for" => config.refuse_for = Some(secs(&flag, &value()?)?),
            "--drop-every" => {
                let d = secs(&flag, &value()?)?;
                if d.is_zero() {
                    return Err("--drop-every: must be more than 0".into());
                }
                config.drop_every = Some(d);
            }
            "--silent-after" => config.on_connect.silent_after = Some(secs(&flag, &value()?)?),
            "--fault" => {
                config.on_connect.faults = value()?
                    .split(',')
                    .map(FaultKind::parse)
                    .collect::<Result<Vec<_>, _>>()?;
            }
            "--fault-every" => {
                let v = value()?;
                fault_every = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(format!("--fault-every: expected N > 0, got {v:?}"))?;
            }
            "--burst" => config.on_connect.burst = Some(BurstSpec::parse(&value()?)?),
            "--mws-history" => {
                let v = value()?;
                config.mws_history = v
                    .parse()
                    .map_err(|_| format!("--mws-history: expected a count, got {v:?}"))?;
            }
            "--bench-burst" => bench = Some(()),
            "--bench-secs" => bench_secs = secs(&flag, &value()?)?.as_secs_f64().max(0.5),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    config.on_connect.fault_every = fault_every;
    Ok(Args {
        port,
        config,
        bench: bench.map(|()| bench_secs),
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("sim: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(secs) = args.bench {
        return match sim::bench::run(secs, 50_000_000.0).await {
            Ok(result) => {
                println!("{}", result.report());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sim: benchmark failed: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let port = args.port;
    let (addr, server) = match sim::bind(&args.config, port).await {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("sim: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Scripts wait for this exact first line to learn the port.
    println!("LISTENING {}", addr.port());
    println!("demo page: http://{addr}/");
    println!(
        "credentials: user {} / password {} (Events Hub login, MWS Basic auth); API key {} (X-Api-Key or {{\"api_key\"}} login)",
        sim::auth::USERNAME,
        sim::auth::PASSWORD,
        sim::auth::api_key_encoded()
    );
    println!(
        "servers: ws://{addr}/api/v1/ws/subscribe  ws://{addr}/1.0/events  ws://{addr}/cloudevents  http://{addr}/mws/rest/events  control: http://{addr}/_sim/status"
    );
    tokio::select! {
        result = server => {
            if let Err(e) = result {
                eprintln!("sim: server stopped: {e}");
                return ExitCode::FAILURE;
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Args, String> {
        parse_args(s.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn flags() {
        let a = parse("--port 0 --rate 0 --seed 42 --token-lifetime 2 --fault malformed,binary --fault-every 3 --burst rate=1000,secs=1,source=lxd").unwrap();
        assert_eq!(a.port, 0);
        assert_eq!(a.config.rate, 0.0);
        assert_eq!(a.config.seed, Some(42));
        assert_eq!(a.config.token_lifetime, Duration::from_secs(2));
        assert_eq!(
            a.config.on_connect.faults,
            vec![FaultKind::Malformed, FaultKind::Binary]
        );
        assert_eq!(a.config.on_connect.fault_every, 3);
        assert!(a.config.on_connect.burst.is_some());
        assert!(parse("--fault nope").is_err());
        assert!(parse("--rate x").is_err());
        assert!(parse("--bogus").is_err());
        assert_eq!(parse("--bench-burst").unwrap().bench, Some(3.0));
    }
}
