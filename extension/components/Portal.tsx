import { type ComponentChildren, render } from "preact";
import { useLayoutEffect, useState } from "preact/hooks";

/**
 * Renders `children` at the end of <body>, outside the component's own place in the page, in a
 * tree of their own (no context crosses over; none is used). preact/compat's createPortal is not
 * used: importing compat changes how every page's events are named (onBlur becomes focusout).
 */
export function Portal({ children }: { children: ComponentChildren }) {
  const [host] = useState(() => document.createElement("div"));
  useLayoutEffect(() => {
    document.body.append(host);
    return () => {
      render(null, host);
      host.remove();
    };
  }, []);
  // Each render of the owner renders the children again, as if they were in place.
  useLayoutEffect(() => {
    render(<>{children}</>, host);
  });
  return null;
}
