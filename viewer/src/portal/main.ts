// The borrower portal's entry (viewer/portal.html): registers the shell, which registers its pages.
import "./PortalApp.ts"
