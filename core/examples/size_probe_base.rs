//! The baseline of `scripts/core-size.sh`: a Wasm module with an allocator and the same
//! exported shape as `size_probe_core`, but no core. The difference of the two is what core
//! adds to a Wasm build.

/// # Safety
/// `ptr` and `len` describe a readable buffer.
#[no_mangle]
pub unsafe extern "C" fn probe(ptr: *const u8, len: usize) -> usize {
    // SAFETY: the caller passes a valid buffer (a size probe: never called at all).
    let input = unsafe { std::slice::from_raw_parts(ptr, len) };
    let text = String::from_utf8_lossy(input).into_owned();
    text.split('\n').map(str::len).collect::<Vec<_>>().len()
}

#[allow(dead_code)]
fn main() {}
