//! A reader that closes the pipe early (`pharmwatch search '*' | head -1`) ends the program
//! quietly with exit 0, like ripgrep: no panic, no "error: Broken pipe".

mod common;

use std::process::{Command, Stdio};

#[test]
fn commands_writing_to_a_closed_pipe_end_quietly() {
    let crawled = common::crawled_market(10);
    let data_s = crawled.data.to_str().unwrap();

    for args in [
        vec!["search", "*", "--all"],
        vec!["search", "*", "--all", "--json"],
        vec!["search", "*", "--all", "--csv"],
        vec!["report"],
        vec!["report", "--json"],
        vec!["signals", "networks"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pharmwatch"))
            .args(["--data-dir", data_s])
            .args(&args)
            .current_dir(common::root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the first line is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {} {stderr}", out.status);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}
