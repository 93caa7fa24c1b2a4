# excel-smoke.ps1 - the add-in in real Excel, for a maintainer on Windows (issue 14).
#
# What it does, each step a row of the table printed at the end (PASS / FAIL / SKIP):
#   1. huikuan addin install        the add-in into %APPDATA%\Microsoft\AddIns, its settings
#   2. huikuan addin doctor         the same checks as the ribbon's Self-test button
#   3. Excel through COM            loads huikuan.xlam as an installed add-in
#   4. VBA compile                  Debug > Compile on the add-in's project (needs "Trust
#                                   access to the VBA project object model"; SKIP otherwise)
#   5. =GAP(100,40)                 60, computed by Python through xlwings' UDF server
#   6. =AMOUNT("<to be determined>") #VALUE!, a real Excel error value (the wrapper's CVErr)
#   7. Refresh on the demo          the ribbon's callback HuikuanRefresh run by
#                                   Application.Run on huikuan demo's workbook; Excel
#                                   shows huikuan's message box: click OK
#   8. what Refresh wrote           output tables, Status's conditional formats, the
#                                   Dashboard's four charts
#
# Run from the huikuan source folder, in PowerShell (Excel closed):
#   powershell -ExecutionPolicy Bypass -File scripts\excel-smoke.ps1 [-Python C:\path\python.exe] [-Keep]
# -Keep leaves the add-in installed and Excel open. Exit code 0 when no step failed.
# The file is ASCII on purpose: Windows PowerShell 5.1 reads a script without a BOM in the
# ANSI code page, so Chinese text is built from character codes.

param(
    [string]$Python = "python",
    [switch]$Keep
)

$ErrorActionPreference = "Stop"
$results = New-Object System.Collections.Generic.List[object]
function Add-Result([string]$Step, [string]$State, [string]$Detail) {
    $results.Add([pscustomobject]@{ Step = $Step; Result = $State; Detail = $Detail })
}

$work = Join-Path $env:TEMP "huikuan-smoke"
New-Item -ItemType Directory -Force -Path $work | Out-Null
$demo = Join-Path $work "demo.xlsx"
$addin = Join-Path $env:APPDATA "Microsoft\AddIns\huikuan.xlam"
$tbd = [string][char]0x5F85 + [char]0x5B9A  # "to be determined", as a person types it

# 1-2: the command line
& $Python -m huikuan addin install --lang zh
if ($LASTEXITCODE -eq 0 -and (Test-Path $addin)) { Add-Result "install" "PASS" $addin }
else { Add-Result "install" "FAIL" "exit $LASTEXITCODE"; $results | Format-Table -AutoSize; exit 1 }
$doctor = & $Python -m huikuan addin doctor
$doctor | ForEach-Object { Write-Host "  $_" }
Add-Result "addin doctor" $(if ($LASTEXITCODE -eq 0) { "PASS" } else { "FAIL" }) "exit $LASTEXITCODE"
& $Python -m huikuan demo -o $demo --lang zh --force | Out-Null
if ($LASTEXITCODE -ne 0) { Add-Result "demo workbook" "FAIL" "exit $LASTEXITCODE" }

# 3: Excel loads the add-in
$vbomKey = $null; $vbomOld = $null
$xl = New-Object -ComObject Excel.Application
try {
    $xl.Visible = $true
    $xl.DisplayAlerts = $false
    $book = $xl.Workbooks.Add()
    $ai = $xl.AddIns.Add($addin, $true)
    $ai.Installed = $true
    $loaded = $null
    foreach ($wb in $xl.Workbooks) { if ($wb.Name -eq "huikuan.xlam") { $loaded = $wb } }
    if ($null -eq $loaded) { try { $loaded = $xl.Workbooks.Item("huikuan.xlam") } catch {} }
    Add-Result "Excel loads the add-in" $(if ($loaded) { "PASS" } else { "FAIL" }) "Excel $($xl.Version)"

    # 4: compile the VBA project (Debug > Compile is command bar control 578)
    $vbomKey = "HKCU:\Software\Microsoft\Office\$($xl.Version)\Excel\Security"
    $vbomOld = (Get-ItemProperty -Path $vbomKey -Name AccessVBOM -ErrorAction SilentlyContinue).AccessVBOM
    try {
        Set-ItemProperty -Path $vbomKey -Name AccessVBOM -Value 1 -Type DWord
        $project = $null
        foreach ($p in $xl.VBE.VBProjects) { if ($p.FileName -eq $addin) { $project = $p } }
        $xl.VBE.ActiveVBProject = $project
        $compile = $xl.VBE.CommandBars.FindControl(1, 578)
        if ($compile.Enabled) { $compile.Execute() }
        # once compiled, Excel greys the command out; a compile error leaves it enabled
        Add-Result "VBA compiles" $(if (-not $compile.Enabled) { "PASS" } else { "FAIL" }) $project.Name
    } catch {
        Add-Result "VBA compiles" "SKIP" "no access to the VBA project object model: $($_.Exception.Message)"
    }

    # 5-6: the cell functions
    $sheet = $book.Worksheets.Item(1)
    $sheet.Range("A1").Formula = "=GAP(100,40)"
    $sheet.Range("A2").Formula = "=AMOUNT(""$tbd"")"
    $deadline = (Get-Date).AddSeconds(60)  # the first call starts Python's UDF server
    do {
        Start-Sleep -Milliseconds 500
        $xl.CalculateFull()
        $gap = $sheet.Range("A1").Value2
    } while ($gap -ne 60 -and (Get-Date) -lt $deadline)
    Add-Result "=GAP(100,40)" $(if ($gap -eq 60) { "PASS" } else { "FAIL" }) "$($sheet.Range('A1').Text)"
    $amount = $sheet.Range("A2").Text
    Add-Result "=AMOUNT(tbd)" $(if ($amount -eq "#VALUE!") { "PASS" } else { "FAIL" }) $amount

    # 7: the ribbon's Refresh, as the button calls it (a null IRibbonControl)
    $team = $xl.Workbooks.Open($demo)
    $team.Activate()
    $how = "HuikuanRefresh"
    try {
        [void]$xl.Run("'huikuan.xlam'!HuikuanRefresh", [System.Runtime.InteropServices.DispatchWrapper]::new($null))
    } catch {
        $how = "RunPython (callback: $($_.Exception.Message))"
        [void]$xl.Run("'huikuan.xlam'!RunPython", "import huikuan.macros; huikuan.macros.refresh()")
    }
    Add-Result "Refresh runs" "PASS" $how

    # 8: what it wrote
    $tables = 0
    foreach ($ws in $team.Worksheets) { $tables += $ws.ListObjects.Count }
    $status = $team.Worksheets.Item("Status")
    $rules = $status.Cells.FormatConditions.Count
    $charts = $team.Worksheets.Item("Dashboard").ChartObjects().Count
    $ok = ($rules -ge 3) -and ($charts -eq 4)
    Add-Result "Refresh wrote" $(if ($ok) { "PASS" } else { "FAIL" }) "$tables tables, Status $rules conditional formats, Dashboard $charts charts"
    $team.Close($false)
    $book.Close($false)
} catch {
    Add-Result "unexpected" "FAIL" $_.Exception.Message
} finally {
    if ($vbomKey) {
        if ($null -eq $vbomOld) { Remove-ItemProperty -Path $vbomKey -Name AccessVBOM -ErrorAction SilentlyContinue }
        else { Set-ItemProperty -Path $vbomKey -Name AccessVBOM -Value $vbomOld -Type DWord }
    }
    if (-not $Keep) {
        try { $ai.Installed = $false } catch {}
        $xl.Quit()
        [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($xl)
        & $Python -m huikuan addin uninstall | Out-Null
    }
}

$results | Format-Table -AutoSize
$failed = @($results | Where-Object { $_.Result -eq "FAIL" }).Count
if ($failed) { Write-Host "$failed step(s) failed"; exit 1 }
Write-Host "every step passed (SKIP: not checked here)"
exit 0
