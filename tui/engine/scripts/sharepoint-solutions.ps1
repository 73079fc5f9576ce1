# mimsetup-script: sharepoint-solutions
# The MIM Portal's own SharePoint solution packs in the farm, shared by the pre-flight (a leftover
# one stops the installer's CheckFIMWebSiteorSolutionPackExisting) and the checklist (deployed ones
# show the portal is there). Anchored to MIM's own names, fim*.wsp and microsoftilm*.wsp
# (microsoftilmportalcommondlls.wsp): a farm's FilmLibrary.wsp is not MIM's. It throws when the
# farm cannot be read, so that a failure never reads as "no solution".
function Get-MimSolutions {
    if (-not (Get-PSSnapin Microsoft.SharePoint.PowerShell -ErrorAction SilentlyContinue)) {
        Add-PSSnapin Microsoft.SharePoint.PowerShell -ErrorAction Stop
    }
    return @(Get-SPSolution -ErrorAction Stop | Where-Object { $_.Name -match '^(fim|microsoftilm|(microsoft)?identitymanagement)[a-z0-9]*\.wsp$' })
}
