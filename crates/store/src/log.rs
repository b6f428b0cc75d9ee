//! The item log: append-only segment files of checksummed frames. Format in `README.md`.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::StoreError;

/// Magic bytes and version at the start of every segment.
pub(crate) const SEGMENT_MAGIC: &[u8; 8] = b"MNNLOG\x00\x01";
pub(crate) const SEGMENT_HEADER_LEN: u64 = 16;
/// len (u32) + crc (u32) + seq (u64).
pub(crate) const FRAME_HEADER_LEN: u64 = 16;
/// No single frame may exceed this; a length above it is damage, not data.
pub(crate) const MAX_FRAME_BODY: u64 = 1 << 30;

/// Where a frame lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FramePos {
    /// Segment number: the sequence number of its first frame.
    pub segment: u64,
    /// Byte offset of the frame header in the segment.
    pub offset: u64,
    /// Length of the frame body.
    pub len: u32,
}

/// One decoded frame.
#[derive(Debug)]
pub(crate) struct Frame {
    pub seq: u64,
    pub pos: FramePos,
    pub body: Vec<u8>,
}

pub(crate) fn segment_path(log_dir: &Path, segment: u64) -> PathBuf {
    log_dir.join(format!("{segment:020}.seg"))
}

/// The segments present, in order.
pub(crate) fn list_segments(log_dir: &Path) -> Result<Vec<u64>, StoreError> {
    let entries = fs::read_dir(log_dir).map_err(|source| StoreError::Io {
        action: "list",
        path: log_dir.to_owned(),
        source,
    })?;
    let mut segments = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|source| StoreError::Io { action: "list", path: log_dir.to_owned(), source })?;
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".seg")) else {
            continue;
        };
        match stem.parse::<u64>() {
            Ok(number) if stem.len() == 20 => segments.push(number),
            _ => {
                return Err(StoreError::Corrupt {
                    path: entry.path(),
                    offset: 0,
                    detail: "unexpected file name in the log directory".to_owned(),
                });
            }
        }
    }
    segments.sort_unstable();
    Ok(segments)
}

/// Appends an empty frame header to `out`; the body follows it, then [`seal_frame`].
pub(crate) fn begin_frame(out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0u8; FRAME_HEADER_LEN as usize]);
    start
}

/// Fills in the header of the frame that starts at `start` and runs to the end of `out`. The body
/// is encoded in place, so that a large body is never copied.
pub(crate) fn seal_frame(seq: u64, out: &mut [u8], start: usize) {
    let header_end = start + FRAME_HEADER_LEN as usize;
    let body_len = (out.len() - header_end) as u32;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&seq.to_le_bytes());
    hasher.update(&out[header_end..]);
    out[start..start + 4].copy_from_slice(&body_len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&hasher.finalize().to_le_bytes());
    out[start + 8..header_end].copy_from_slice(&seq.to_le_bytes());
}

/// Reads and checks the frame at `pos`.
pub(crate) fn read_frame(file: &File, path: &Path, pos: FramePos) -> Result<Frame, StoreError> {
    let mut buffer = vec![0u8; (FRAME_HEADER_LEN + u64::from(pos.len)) as usize];
    file.read_exact_at(&mut buffer, pos.offset).map_err(|source| StoreError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })?;
    match decode_frame(&buffer) {
        FrameCheck::Valid { seq, body_len } if body_len == pos.len => {
            // Drained in place, not split off: a large body is not copied to a new allocation.
            buffer.drain(..FRAME_HEADER_LEN as usize);
            Ok(Frame { seq, pos, body: buffer })
        }
        _ => Err(StoreError::Corrupt {
            path: path.to_owned(),
            offset: pos.offset,
            detail: "frame does not match its checksum or its recorded length".to_owned(),
        }),
    }
}

enum FrameCheck {
    Valid { seq: u64, body_len: u32 },
    Invalid,
}

fn decode_frame(bytes: &[u8]) -> FrameCheck {
    if bytes.len() < FRAME_HEADER_LEN as usize {
        return FrameCheck::Invalid;
    }
    let body_len = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let crc = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let mut seq_bytes = [0u8; 8];
    seq_bytes.copy_from_slice(&bytes[8..16]);
    let body = &bytes[FRAME_HEADER_LEN as usize..];
    if body.len() != body_len as usize {
        return FrameCheck::Invalid;
    }
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&seq_bytes);
    hasher.update(body);
    if hasher.finalize() != crc {
        return FrameCheck::Invalid;
    }
    FrameCheck::Valid { seq: u64::from_le_bytes(seq_bytes), body_len }
}

/// What a sequential scan of a segment found at its end.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ScanEnd {
    /// Every byte belonged to a valid frame.
    Clean,
    /// Bytes from `offset` on do not form a valid frame (a torn write, or damage).
    Invalid { offset: u64, reason: &'static str },
}

/// Reads frames of one segment sequentially from `start`, calling `visit` for each valid one.
pub(crate) fn scan_segment(
    log_dir: &Path,
    segment: u64,
    start: u64,
    visit: &mut dyn FnMut(Frame) -> Result<(), StoreError>,
) -> Result<(ScanEnd, u64), StoreError> {
    let path = segment_path(log_dir, segment);
    let io_error = |action, source| StoreError::Io { action, path: path.clone(), source };
    let mut file = File::open(&path).map_err(|source| io_error("open", source))?;
    let file_len = file.metadata().map_err(|source| io_error("stat", source))?.len();
    let mut header = [0u8; SEGMENT_HEADER_LEN as usize];
    if file_len < SEGMENT_HEADER_LEN {
        return Ok((ScanEnd::Invalid { offset: 0, reason: "segment header incomplete" }, 0));
    }
    file.read_exact(&mut header).map_err(|source| io_error("read", source))?;
    if &header[..8] != SEGMENT_MAGIC {
        return Err(StoreError::Corrupt {
            path,
            offset: 0,
            detail: "not a muninn log segment (bad magic)".to_owned(),
        });
    }
    let mut offset = start.max(SEGMENT_HEADER_LEN);
    file.seek(SeekFrom::Start(offset)).map_err(|source| io_error("seek", source))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut frame_header = [0u8; FRAME_HEADER_LEN as usize];
    loop {
        if offset == file_len {
            return Ok((ScanEnd::Clean, offset));
        }
        if file_len - offset < FRAME_HEADER_LEN {
            return Ok((ScanEnd::Invalid { offset, reason: "frame header incomplete" }, offset));
        }
        reader.read_exact(&mut frame_header).map_err(|source| io_error("read", source))?;
        let body_len = u64::from(u32::from_le_bytes([
            frame_header[0],
            frame_header[1],
            frame_header[2],
            frame_header[3],
        ]));
        if body_len > MAX_FRAME_BODY || file_len - offset - FRAME_HEADER_LEN < body_len {
            return Ok((ScanEnd::Invalid { offset, reason: "frame body incomplete" }, offset));
        }
        let mut frame_bytes = Vec::with_capacity((FRAME_HEADER_LEN + body_len) as usize);
        frame_bytes.extend_from_slice(&frame_header);
        frame_bytes.resize((FRAME_HEADER_LEN + body_len) as usize, 0);
        reader
            .read_exact(&mut frame_bytes[FRAME_HEADER_LEN as usize..])
            .map_err(|source| io_error("read", source))?;
        let FrameCheck::Valid { seq, body_len } = decode_frame(&frame_bytes) else {
            return Ok((ScanEnd::Invalid { offset, reason: "checksum mismatch" }, offset));
        };
        let pos = FramePos { segment, offset, len: body_len };
        offset += FRAME_HEADER_LEN + u64::from(body_len);
        frame_bytes.drain(..FRAME_HEADER_LEN as usize);
        visit(Frame { seq, pos, body: frame_bytes })?;
    }
}

/// Fsyncs a directory so that a file created or renamed in it survives a power loss.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|source| StoreError::Io {
        action: "fsync directory",
        path: dir.to_owned(),
        source,
    })
}

/// Creates a new, empty segment durably (file and directory entry).
pub(crate) fn create_segment(log_dir: &Path, segment: u64) -> Result<File, StoreError> {
    let path = segment_path(log_dir, segment);
    let io_error = |action, source| StoreError::Io { action, path: path.clone(), source };
    let mut file = OpenOptions::new()
        .create_new(true)
        .read(true)
        .append(true)
        .open(&path)
        .map_err(|source| io_error("create", source))?;
    let mut header = [0u8; SEGMENT_HEADER_LEN as usize];
    header[..8].copy_from_slice(SEGMENT_MAGIC);
    header[8..12].copy_from_slice(&1u32.to_le_bytes());
    file.write_all(&header).map_err(|source| io_error("write", source))?;
    file.sync_all().map_err(|source| io_error("fsync", source))?;
    sync_dir(log_dir)?;
    Ok(file)
}

/// Cuts a torn tail off the last segment, durably.
pub(crate) fn truncate_segment(log_dir: &Path, segment: u64, len: u64) -> Result<(), StoreError> {
    let path = segment_path(log_dir, segment);
    let io_error = |action, source| StoreError::Io { action, path: path.clone(), source };
    let file = OpenOptions::new().write(true).open(&path).map_err(|source| io_error("open", source))?;
    file.set_len(len).map_err(|source| io_error("truncate", source))?;
    file.sync_all().map_err(|source| io_error("fsync", source))
}
