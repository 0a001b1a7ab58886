package org.calmworkbench.backend.train;

import java.nio.file.Path;

/** A second process for {@link RunLockTest}: locks the folder in args[0], says so, and waits to be killed. */
public final class RunLockHolder {
  private RunLockHolder() {}

  public static void main(String[] args) throws Exception {
    RunLock lock = RunLock.acquire(Path.of(args[0]), "RunLockHolder");
    System.out.println("locked " + lock.holder().pid());
    System.out.flush();
    Thread.sleep(600_000); // the test kills this process (kill -9) long before
  }
}
