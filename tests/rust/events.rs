// SPDX-License-Identifier: ISC
// events - a Rust program as a user has one, std only: std::fs::read of
// its input, four threads that sleep and then take its lines from one
// std::sync::mpsc channel and send back each line's word count and byte
// sum on another, and std::fs::write of the result; stdout gets a summary.
// An I/O error is one line on stderr, the io::Error as Rust words it, and
// status 3 (read) or 4 (write).
use std::env;
use std::fs;
use std::process;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

fn main() {
    let args: Vec<String> = env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: events INPUT OUTPUT");
        process::exit(64);
    }
    let data = match fs::read(&args[1]) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("read: {}", e);
            process::exit(3);
        }
    };
    let lines: Vec<Vec<u8>> = data.split(|&c| c == b'\n').map(|l| l.to_vec()).collect();

    let (work_tx, work_rx) = mpsc::channel::<(usize, Vec<u8>)>();
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (res_tx, res_rx) = mpsc::channel::<(usize, usize, u64)>();
    let mut workers = Vec::new();
    for _ in 0..4 {
        let rx = Arc::clone(&work_rx);
        let tx = res_tx.clone();
        workers.push(thread::spawn(move || {
            thread::sleep(Duration::from_millis(10));
            loop {
                let job = rx.lock().unwrap().recv();
                let (i, l) = match job {
                    Ok(j) => j,
                    Err(_) => break,
                };
                let words = l.split(|c| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).count();
                let sum = l.iter().map(|&c| c as u64).sum();
                tx.send((i, words, sum)).unwrap();
            }
        }));
    }
    drop(res_tx);
    for (i, l) in lines.into_iter().enumerate() {
        work_tx.send((i, l)).unwrap();
    }
    drop(work_tx);

    let mut res: Vec<(usize, usize, u64)> = res_rx.iter().collect();
    for w in workers {
        w.join().unwrap();
    }
    res.sort();
    let mut out = String::new();
    let mut words = 0;
    for &(i, w, s) in &res {
        out.push_str(&format!("{} {} {}\n", i, w, s));
        words += w;
    }
    if let Err(e) = fs::write(&args[2], out.as_bytes()) {
        eprintln!("write: {}", e);
        process::exit(4);
    }
    println!("ok {} bytes {} lines {} words {} out", data.len(), res.len(), words, out.len());
}
