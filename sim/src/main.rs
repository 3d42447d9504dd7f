use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: sim [--port N] [--www DIR] [--pkg DIR]
  --port N   port on 127.0.0.1 (0 picks a free one; default 8787)
  --www DIR  demo page to serve at / (default: www)
  --pkg DIR  built npm package to serve at /pkg/ (default: pkg)";

fn parse_args(args: impl Iterator<Item = String>) -> Result<(u16, sim::Config), String> {
    let mut port = 8787;
    let mut config = sim::Config {
        www_dir: PathBuf::from("www"),
        pkg_dir: PathBuf::from("pkg"),
    };
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
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok((port, config))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (port, config) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("sim: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (addr, server) = match sim::bind(&config, port).await {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("sim: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Scripts wait for this exact first line to learn the port.
    println!("LISTENING {}", addr.port());
    println!("demo page: http://{addr}/");
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
