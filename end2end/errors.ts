// Chromium rejects the implicit promise of a cross-document view transition
// (the `@view-transition` rule in style/main.scss; the site runs no
// transition script) when a navigation starts while the animation is still
// being set up, e.g. a click or Enter right after a load, and reports it as a
// console error and an uncaught page error. The navigation completes, only
// the animation is skipped: it is not the site's error.
export function isSkippedTransition(message: string): boolean {
  return message.startsWith('Transition was aborted');
}
