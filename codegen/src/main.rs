//! Writes the JSON Schema of every decoded type to `schema/<Type>.json` (or, with `--check`,
//! fails when a file there differs from what the model gives: a stale schema fails `npm test`).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("schema: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let mut stale = 0;
    for file in infra_events::model::schema::all() {
        let text = match serde_json::to_string_pretty(&file.schema) {
            Ok(text) => text + "\n",
            Err(e) => {
                eprintln!("schema: {}: {e}", file.name);
                return ExitCode::FAILURE;
            }
        };
        let path = dir.join(format!("{}.json", file.name));
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                eprintln!(
                    "schema: schema/{}.json is stale: run `npm run codegen`",
                    file.name
                );
                stale += 1;
            }
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("schema: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if stale > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
