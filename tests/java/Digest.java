// SPDX-License-Identifier: ISC
// Digest - a Java program as a user has one: java.nio.file.Files reads its
// input whole (readAllBytes) and again line by line (lines), and it prints
// the input's SHA-256, its length and its line count.  An I/O error is one
// line on stderr, the IOException as Java words it, and status 3.
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.stream.Stream;

public class Digest {
    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        try {
            byte[] b = Files.readAllBytes(p);
            StringBuilder h = new StringBuilder();
            for (byte x : MessageDigest.getInstance("SHA-256").digest(b))
                h.append(String.format("%02x", x));
            long n;
            try (Stream<String> l = Files.lines(p)) {
                n = l.count();
            }
            System.out.println(h + " " + b.length + " " + n);
        } catch (IOException e) {
            fail(e);
        } catch (UncheckedIOException e) {
            fail(e.getCause());
        }
    }

    private static void fail(IOException e) {
        System.err.println(e);
        System.exit(3);
    }
}
